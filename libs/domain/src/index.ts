export {
  badRequest,
  conflict,
  DomainError,
  type ErrorDetail,
  type ErrorKind,
  forbidden,
  notFound,
  type PolicyRefusal,
  unauthenticated,
  unavailable,
} from './errors.js';
export { assertLegalIdentifiers, corporateNumberCheckDigit, isValidCorporateNumber } from './identity.js';
export { type Clock, CLOCK, FixedClock, systemClock } from './clock.js';
export { assertTransition, type GrantState, GrantStates, HISTORY_ALL, historyStartMs } from './grant.js';
export {
  type Approval,
  Approvals,
  assertContractTransition,
  type CompatibilityMode,
  CompatibilityModes,
  type ContractDomain,
  ContractDomains,
  type ContractStatus,
  ContractStatuses,
  type ContractSource,
  type ContractTerms,
  type DatasetRef,
  type DerivedTerms,
  type FieldTag,
  FieldTags,
  type FieldTerms,
  minimumProtection,
  MinimumProtection,
  Sensitivities,
  type Sensitivity,
  Visibilities,
  type Visibility,
} from './contract.js';
export {
  type Certification,
  Certifications,
  type ParticipantRole,
  ParticipantRoles,
  ParticipantStatuses,
  type ParticipantView,
  ProtectionLevels,
} from './participant.js';
export {
  type ContractEventType,
  ContractEventTypes,
  type DataEnvelope,
  type DeadLetterNotice,
  type DecisionRecordInput,
  type GrantView,
  type PlatformEvent,
  Topics,
  topicsFor,
  type TransferView,
} from './events.js';
export {
  finalTransferStates,
  isTransferState,
  type TransferMessage,
  TransferMessages,
  type TransferMove,
  transferMove,
  type TransferParty,
  type TransferState,
  TransferStates,
  transferTargets,
} from './transfer-process.js';
export { EXPLANATION_MESSAGE_MAX, EXPLANATIONS_MAX, type PolicyExplanation } from './explanation.js';
export {
  assertCompilableSchema,
  compileContractSchema,
  type PayloadValidator,
  pointer,
  validatePayload,
} from './json-schema.js';
export { compileLinear, type LinearPattern, LinearPatternCache, linearRegExp } from './linear-regex.js';
export {
  assertSchemaWithinLimits,
  DEFAULT_SCHEMA_LIMITS,
  type SchemaLimits,
  schemaLimitsFromEnv,
} from './schema-limits.js';
export { currentVersion, PlatformProjection } from './projection.js';
export {
  type ConsentPeriod,
  type ConsentProvision,
  consentStatus,
  type ConsentStatus,
  type ConsentUse,
  MAX_CONSENTS_PER_PERSON,
  MAX_PROVISION_DEPTH,
  MAX_PROVISIONS,
  MAX_SCOPE_VALUES,
  type PersonConsentView,
} from './person-consent.js';
export { isSemver } from './semver.js';
export {
  concealedTarget,
  concealing,
  isOnRecord,
  onRecord,
  type RefusalCategory,
  type RefusalRecord,
  type RefusalTarget,
} from './refusal.js';
export { assertEventFits, LIFECYCLE_RESERVE_BYTES } from './event-size.js';
export {
  DATASET_ID_MAX,
  DATASET_ID_PATTERN,
  DatasetId,
  DatasetSelector,
  EventType,
  isDatasetId,
  Kid,
  Purpose,
  SubjectRef,
  TopicPrefix,
  Version,
} from './ids.js';
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
export {
  AnchoredCheckpointSchema,
  ContractEventSchema,
  ContractTermsSchema,
  DataEnvelopeSchema,
  DecisionRecordSchema,
  EXPLANATION_PARAMS_MAX_BYTES,
  PolicyExplanationSchema,
  GrantChangedEventSchema,
  GrantViewSchema,
  ParticipantEventSchema,
  ParticipantViewSchema,
  PersonConsentViewSchema,
  PlatformEventSchema,
  REFUSAL_RECORD_MAX_BYTES,
  RefusalRecordSchema,
  type ContractEvent,
  type GrantChangedEvent,
  TransferChangedEventSchema,
  type TransferChangedEvent,
  TransferViewSchema,
  type ParticipantEvent,
  type PlatformEventType,
} from './event-schemas.js';
