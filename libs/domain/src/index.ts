export * from './errors.js';
export * from './identity.js';
export * from './clock.js';
export * from './grant.js';
export * from './contract.js';
export * from './participant.js';
export * from './events.js';
export * from './json-schema.js';
export * from './linear-regex.js';
export * from './schema-limits.js';
export * from './projection.js';
export * from './person-consent.js';
export * from './semver.js';
export * from './refusal.js';
export * from './event-size.js';
export * from './ids.js';
export {
  ERROR_CODES,
  errorCodeInfo,
  isErrorCode,
  policyDenyCode,
  relayedCode,
  STATUS_OF_KIND,
  type CodeOfKind,
  type ErrorCode,
  type ErrorCodeInfo,
  type ErrorStatus,
  type KindOf,
  type ProblemCode,
  type StatusOf,
} from './error-codes.js';
export { renderErrorsDoc } from './errors-doc.js';
