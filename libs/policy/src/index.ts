export {
  allowRule,
  explainedDecision,
  genericExplanation,
  noObligations,
  type PolicyAction,
  type PolicyDecision,
  PolicyEngine,
  type PolicyInput,
  readPolicyBundle,
} from './policy-engine.js';
export { applyObligations, pseudonym } from './obligations.js';
export { buildPolicyInput, type DecisionRequest } from './input.js';
export { decisionRecord, denied } from './decision-record.js';
export {
  PolicyGate,
  syncFor,
  syncNow,
  FRESH_ENOUGH_MS,
  type DecisionObserver,
  type GateDecision,
  type RecordContext,
  type ProjectionSync,
} from './policy-gate.js';
