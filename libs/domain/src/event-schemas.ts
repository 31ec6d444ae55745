import { z } from 'zod';
import {
  Approvals,
  CompatibilityModes,
  ContractStatuses,
  FieldTags,
  Sensitivities,
  Visibilities,
} from './contract.js';
import type { ContractTerms, DerivedTerms, FieldTerms } from './contract.js';
import {
  ContractEventTypes,
  type ContractEventType,
  type DataEnvelope,
  type DeadLetterNotice,
  type DecisionRecordInput,
  type GrantView,
  type PlatformEvent,
  type TransferView,
} from './events.js';
import { EXPLANATION_MESSAGE_MAX, EXPLANATIONS_MAX, type PolicyExplanation } from './explanation.js';
import { GrantStates, type GrantState } from './grant.js';
import { Certifications, ParticipantRoles, ParticipantStatuses, ProtectionLevels } from './participant.js';
import type { ParticipantView } from './participant.js';
import type { ConsentProvision, PersonConsentView } from './person-consent.js';
import type { RefusalRecord } from './refusal.js';
import { TransferStates } from './transfer-process.js';

/**
 * Messages read from Kafka are input, like HTTP bodies: every consumer validates them against these schemas
 * at its edge (libs/kafka decodeMessage) instead of casting. The TypeScript types in events.ts stay the
 * source of truth for producers; the compile-time checks at the end of this file fail when a schema and its
 * type drift apart, in either direction.
 *
 * The schemas check structure (types, enumerations, required fields), not the business rules a producer
 * applied when it accepted the change (lengths, id grammar): a consumer that refused a revocation the
 * producer committed would hold a stale grant. Platform events are read into the projection, so unknown keys
 * are dropped; audit records are kept on the chain exactly as sent, so their schemas only check.
 */

const text = z.string();
const nullableText = z.string().nullable();

const GrantStateSchema = z.enum(Object.keys(GrantStates) as [GrantState, ...GrantState[]]);

export const GrantViewSchema = z.object({
  id: text,
  state: GrantStateSchema,
  originator: text,
  consumer: text,
  dataset: text,
  purpose: text,
  fields: z.array(text).nullable(),
  validFrom: text,
  validUntil: nullableText,
  deletionDays: z.number().optional(),
  onwardTransfer: z.boolean().optional(),
  historyFrom: nullableText.optional(),
  changedAt: text,
});

export const ParticipantViewSchema = z.object({
  id: text,
  legalName: text,
  industry: text,
  country: text,
  roles: z.array(z.enum(ParticipantRoles)),
  status: z.enum(ParticipantStatuses),
  certifications: z.array(z.enum(Certifications)),
  protection: z.enum(ProtectionLevels),
  certificationExpiry: z.partialRecord(z.enum(Certifications), text).optional(),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
});

const FieldTermsSchema = z.object({
  tags: z.array(z.enum(FieldTags)),
  residency: nullableText.optional(),
  description: nullableText.optional(),
});

const DerivedTermsSchema = z.object({
  aggregate: z.boolean(),
  contributors: z.number().nullable(),
  originators: z.array(text).optional(),
  verified: z.boolean().optional(),
});

export const ContractTermsSchema = z.object({
  dataset: text,
  owner: text,
  version: text,
  status: z.enum(ContractStatuses),
  title: text,
  description: nullableText.optional(),
  domain: text,
  purposes: z.array(text),
  sensitivity: z.enum(Sensitivities),
  residency: nullableText,
  retentionDays: z.number().nullable(),
  compatibility: z.enum(CompatibilityModes).optional(),
  visibility: z.enum(Visibilities).optional(),
  invited: z.array(text).optional(),
  approval: z.enum(Approvals).optional(),
  fields: z.record(z.string(), FieldTermsSchema),
  schema: z.record(z.string(), z.unknown()),
  lineage: z.array(z.object({ dataset: text, version: text })).optional(),
  source: z.object({ agreementId: text, provider: text, dataset: text }).optional(),
  derived: DerivedTermsSchema.optional(),
});

const ConsentPeriodSchema = z.object({ start: nullableText, end: nullableText });

const ConsentProvisionSchema: z.ZodType<ConsentProvision> = z.lazy(() =>
  z.object({
    purposes: z.array(text).optional(),
    recipients: z.array(text).optional(),
    period: ConsentPeriodSchema.optional(),
    dataPeriod: ConsentPeriodSchema.optional(),
    recordTypes: z.array(text).optional(),
    labels: z.array(text).optional(),
    actions: z.array(text).optional(),
    provisions: z.array(ConsentProvisionSchema).optional(),
  }),
);

export const PersonConsentViewSchema = z.object({
  originator: text,
  subjectRef: text,
  consentId: text,
  dataset: text,
  decision: z.enum(['permit', 'deny', 'withdrawn']),
  provisions: z.array(ConsentProvisionSchema),
  validFrom: nullableText,
  validUntil: nullableText,
  recordedAt: text,
  /** Consents recorded before purposes moved into provisions (normaliseConsent reads them). */
  purposes: z.array(text).optional(),
});

export const DeadLetterNoticeSchema = z.object({
  outboxId: text,
  topic: text,
  eventId: nullableText,
  eventType: nullableText,
  sizeBytes: z.number(),
  reason: text,
  attempts: z.number(),
  deadLetteredAt: text,
});

/** Set by the publishing service's outbox (PlatformEventMeta). */
const meta = { id: text.optional(), actor: text.optional(), at: text.optional() };

export const ParticipantEventSchema = z.object({
  type: z.literal('participant.upserted'),
  participant: ParticipantViewSchema,
  ...meta,
});
export const ContractEventSchema = z.object({
  type: z.enum(ContractEventTypes),
  contract: ContractTermsSchema,
  reason: nullableText.optional(),
  ...meta,
});
export const DatasetChangedEventSchema = z.object({
  type: z.literal('dataset.changed'),
  dataset: text,
  owner: text,
  compatibility: z.enum(CompatibilityModes),
  ...meta,
});
export const GrantChangedEventSchema = z.object({
  type: z.literal('grant.changed'),
  grant: GrantViewSchema,
  actor: text,
  reason: nullableText,
  id: meta.id,
  at: meta.at,
});
export const TransferViewSchema = z.object({
  id: text,
  grantId: text,
  dataset: text,
  consumer: text,
  state: z.enum(TransferStates),
  tokenId: nullableText,
  changedAt: text,
});
export const TransferChangedEventSchema = z.object({
  type: z.literal('transfer.changed'),
  transfer: TransferViewSchema,
  reason: nullableText,
  ...meta,
});
export const PersonConsentEventSchema = z.object({
  type: z.literal('person-consent.changed'),
  consent: PersonConsentViewSchema,
  ...meta,
});
export const DataKeyDestroyedEventSchema = z.object({
  type: z.literal('data-key.destroyed'),
  kid: text,
  originator: text,
  dataset: text,
  subjectRef: nullableText,
  ...meta,
});
export const DeadLetteredEventSchema = z.object({
  type: z.literal('outbox.dead-lettered'),
  service: text,
  deadLetter: DeadLetterNoticeSchema,
  ...meta,
});

/** Every event on the registry and clearing topics, told apart by `type`. */
export const PlatformEventSchema = z.discriminatedUnion('type', [
  ParticipantEventSchema,
  ContractEventSchema,
  DatasetChangedEventSchema,
  GrantChangedEventSchema,
  TransferChangedEventSchema,
  PersonConsentEventSchema,
  DataKeyDestroyedEventSchema,
  DeadLetteredEventSchema,
]);

/** The event types of the platform topics, e.g. for `@EventPattern`. */
export type PlatformEventType = PlatformEvent['type'];
export type GrantChangedEvent = Extract<PlatformEvent, { type: 'grant.changed' }>;
export type TransferChangedEvent = Extract<PlatformEvent, { type: 'transfer.changed' }>;
export type ParticipantEvent = Extract<PlatformEvent, { type: 'participant.upserted' }>;
export type ContractEvent = Extract<PlatformEvent, { type: (typeof ContractEventTypes)[number] }>;

/** Largest params object of one explanation, as JSON (the values its sentence names). */
export const EXPLANATION_PARAMS_MAX_BYTES = 4096;

/** One explanation of a decision (PolicyExplanation), bounded. */
export const PolicyExplanationSchema = z.object({
  code: z.string().min(1).max(80),
  message: z.string().max(EXPLANATION_MESSAGE_MAX),
  params: z
    .record(z.string().max(80), z.unknown())
    .refine(
      (p) => JSON.stringify(p).length <= EXPLANATION_PARAMS_MAX_BYTES,
      `at most ${EXPLANATION_PARAMS_MAX_BYTES} bytes of JSON`,
    ),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const bounded = (max: number) => z.string().min(1).max(max);
const time = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date-time');

/**
 * A decision record on `<prefix>.audit.decisions` (the exchange's publish, subscribe and delivery
 * decisions). Checks what the chain entry is built from; the record is appended as sent.
 */
export const DecisionRecordSchema = z.looseObject({
  decisionId: z.string().regex(UUID, 'a UUID'),
  requestedBy: bounded(200),
  allow: z.boolean(),
  decidedAt: time,
  dataset: bounded(200).nullish(),
  grantId: bounded(200).nullish(),
  // Optional: a record of an exchange built before decisions explained themselves (rolling deploy).
  rule: bounded(80).optional(),
  explanations: z.array(PolicyExplanationSchema).max(EXPLANATIONS_MAX).optional(),
});

/** Largest refusal record clearing takes from Kafka (an aggregate of one window is far smaller). */
export const REFUSAL_RECORD_MAX_BYTES = 64 * 1024;

/** An aggregated security refusal on `<prefix>.audit.refusals` (ADR 0018); appended as sent. */
export const RefusalRecordSchema = z.looseObject({
  id: z.string().regex(UUID, 'a UUID'),
  service: bounded(40),
  code: bounded(80),
  category: bounded(40),
  status: z.number(),
  count: z.number().min(1),
  firstAt: bounded(40),
  lastAt: bounded(40).pipe(time),
  targets: z.array(z.unknown()),
});

/** A signed audit checkpoint anchored on `<prefix>.audit.checkpoints` (clearing reads the newest back). */
/**
 * A data event as the exchange wrote it to a dataset's topic. The feed keeps it exactly as sent (the payload
 * may carry encrypted fields); the check only stops a message another process wrote from reaching delivery.
 */
export const DataEnvelopeSchema = z.object({
  id: text,
  type: text,
  schemaVersion: text,
  occurredAt: text,
  publishedAt: text,
  dataset: text,
  contractVersion: text,
  originator: text,
  subject: text.optional(),
  labels: z.array(text).optional(),
  payload: z.record(z.string(), z.unknown()),
});

export const AnchoredCheckpointSchema = z.looseObject({ jws: z.string() });

// Compile-time: each schema takes exactly the shape its type names. `Accepts` fails to compile when a value
// of the type would not be a valid schema output (the schema narrows a field), `Yields` when a schema output
// is not a value of the type (the schema widens or forgets a required field), `Keeps` when the schema lacks
// one of the type's keys (an optional field it would silently drop).
type Accepts<T, S extends z.ZodType> = [T] extends [z.output<S>] ? true : false;
type Yields<T, S extends z.ZodType> = [z.output<S>] extends [T] ? true : false;
type Keeps<T, S extends z.ZodType> = [Exclude<keyof T, keyof z.output<S>>] extends [never] ? true : false;
type Same<T, S extends z.ZodType> = [Accepts<T, S>, Yields<T, S>, Keeps<T, S>];
type EventOf<K extends PlatformEvent['type']> = Extract<PlatformEvent, { type: K }>;
type AllTrue<T extends readonly true[]> = T;
const typeChecks:
  | AllTrue<
      [
        ...Same<PlatformEvent, typeof PlatformEventSchema>,
        ...Same<EventOf<'participant.upserted'>, typeof ParticipantEventSchema>,
        ...Same<EventOf<ContractEventType>, typeof ContractEventSchema>,
        ...Same<EventOf<'dataset.changed'>, typeof DatasetChangedEventSchema>,
        ...Same<EventOf<'grant.changed'>, typeof GrantChangedEventSchema>,
        ...Same<EventOf<'transfer.changed'>, typeof TransferChangedEventSchema>,
        ...Same<TransferView, typeof TransferViewSchema>,
        ...Same<EventOf<'person-consent.changed'>, typeof PersonConsentEventSchema>,
        ...Same<EventOf<'data-key.destroyed'>, typeof DataKeyDestroyedEventSchema>,
        ...Same<EventOf<'outbox.dead-lettered'>, typeof DeadLetteredEventSchema>,
        ...Same<GrantView, typeof GrantViewSchema>,
        ...Same<ParticipantView, typeof ParticipantViewSchema>,
        ...Same<ContractTerms, typeof ContractTermsSchema>,
        ...Same<DerivedTerms, typeof DerivedTermsSchema>,
        ...Same<FieldTerms, typeof FieldTermsSchema>,
        ...Same<PersonConsentView, typeof PersonConsentViewSchema>,
        ...Same<DeadLetterNotice, typeof DeadLetterNoticeSchema>,
        ...Same<DataEnvelope, typeof DataEnvelopeSchema>,
        ...Same<PolicyExplanation, typeof PolicyExplanationSchema>,
        Yields<
          Pick<DecisionRecordInput, 'decisionId' | 'requestedBy' | 'allow' | 'decidedAt'>,
          typeof DecisionRecordSchema
        >,
        Yields<
          Pick<RefusalRecord, 'id' | 'service' | 'code' | 'status' | 'count' | 'firstAt' | 'lastAt'>,
          typeof RefusalRecordSchema
        >,
      ]
    >
  | undefined = undefined;
void typeChecks;
