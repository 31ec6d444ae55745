export * from './deadline.js';
export * from './dependency-errors.js';
export * from './readiness.js';
export * from './process-guards.js';
export * from './deadline.interceptor.js';
