export * from './policy-engine.js';
export * from './obligations.js';
export * from './input.js';
export * from './decision-record.js';
