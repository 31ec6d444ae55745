export * from './policy-engine.js';
export * from './obligations.js';
export * from './input.js';
export * from './decision-record.js';
export {
  PolicyGate,
  syncFor,
  syncNow,
  FRESH_ENOUGH_MS,
  type GateDecision,
  type RecordContext,
  type ProjectionSync,
} from './policy-gate.js';
