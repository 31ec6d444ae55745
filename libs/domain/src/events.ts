import type { CompatibilityMode, ContractTerms } from './contract.js';
import type { GrantState } from './grant.js';
import type { ParticipantView } from './participant.js';
import type { PersonConsentView } from './person-consent.js';
import type { TransferState } from './transfer-process.js';
import type { PolicyExplanation } from './explanation.js';

/**
 * Topic names are the platform's, never a participant's choice. TOPIC_PREFIX (default `renkei`) separates
 * deployments sharing one cluster, e.g. each end-to-end run gets its own.
 */
const prefix = () => process.env.TOPIC_PREFIX ?? 'renkei';
export const Topics = {
  get registryEvents() {
    return topicsFor(prefix()).registryEvents;
  },
  get clearingEvents() {
    return topicsFor(prefix()).clearingEvents;
  },
  get auditDecisions() {
    return topicsFor(prefix()).auditDecisions;
  },
  /** Security refusals (401/403/429, concealed 404s) from every service, appended to the chain by clearing. */
  get auditRefusals() {
    return topicsFor(prefix()).auditRefusals;
  },
  get auditCheckpoints() {
    return topicsFor(prefix()).auditCheckpoints;
  },
  /** Where each grant's delivery stands (compacted, keyed by grant id): the exchange's stream positions. */
  get exchangePositions() {
    return topicsFor(prefix()).exchangePositions;
  },
  data: (dataset: string) => topicsFor(prefix()).data(dataset),
  deadLetter: (dataset: string) => topicsFor(prefix()).deadLetter(dataset),
};

/** The topic names under an explicit prefix (Kafka provisioning and ACLs for a deployment, ADR 0035). */
export function topicsFor(prefix: string) {
  return {
    registryEvents: `${prefix}.registry.events`,
    clearingEvents: `${prefix}.clearing.events`,
    auditDecisions: `${prefix}.audit.decisions`,
    auditRefusals: `${prefix}.audit.refusals`,
    auditCheckpoints: `${prefix}.audit.checkpoints`,
    exchangePositions: `${prefix}.exchange.positions`,
    /** Every data topic starts with this (Topics.data). */
    dataPrefix: `${prefix}.data.`,
    /** Every dead-letter topic starts with this (Topics.deadLetter). */
    deadLetterPrefix: `${prefix}.dlq.`,
    data: (dataset: string) => `${prefix}.data.${dataset}`,
    deadLetter: (dataset: string) => `${prefix}.dlq.${dataset}`,
  };
}

/** The envelope of every data event on Kafka. */
export interface DataEnvelope {
  id: string;
  type: string;
  schemaVersion: string;
  occurredAt: string;
  publishedAt: string;
  dataset: string;
  contractVersion: string;
  originator: string;
  subject?: string;
  /** Labels the originator gave the record (e.g. a security label such as HIV); persons' consents may name them. */
  labels?: string[];
  payload: Record<string, unknown>;
}

export interface GrantView {
  id: string;
  state: GrantState;
  originator: string;
  consumer: string;
  dataset: string;
  purpose: string;
  fields: string[] | null;
  validFrom: string;
  validUntil: string | null;
  /** Days after the grant ends by which the consumer must delete what it received (policy default: 30). */
  deletionDays?: number;
  /** Whether the consumer may pass the data on. */
  onwardTransfer?: boolean;
  /**
   * From when the grant covers the topic's past (an ISO time, or 'all'); the originator decides it on
   * approval, null before. Events published before it are never delivered (see historyStartMs).
   */
  historyFrom?: string | null;
  changedAt: string;
}

/**
 * A Dataspace Protocol transfer of a grant (provider side), as the exchange follows it: a dataset token that
 * names the transfer (claim `tid`) is honoured only while the transfer is STARTED and the token is the one
 * its latest start carried (`tokenId` = that token's jti); any other change ends the transfer's streams.
 */
export interface TransferView {
  id: string;
  grantId: string;
  dataset: string;
  /** The consumer participant (the peer connector) the grant was given to. */
  consumer: string;
  state: TransferState;
  /** The jti of the token the latest start carried; null when no token is honoured. */
  tokenId: string | null;
  changedAt: string;
}

/** Contract lifecycle events; each carries the version's full terms as they are after the change. */
export const ContractEventTypes = [
  'contract.drafted',
  'contract.published',
  'contract.deprecated',
  'contract.retired',
] as const;
export type ContractEventType = (typeof ContractEventTypes)[number];

/** Set by the publishing service's outbox: event id (deduplication), acting participant, time of the change. */
export interface PlatformEventMeta {
  id?: string;
  actor?: string;
  at?: string;
}

/**
 * An outbox event Kafka would not take, parked in the service's dead-letter table. It names the event and
 * why, never its payload; clearing puts it on the audit chain for compliance.
 */
export interface DeadLetterNotice {
  outboxId: string;
  topic: string;
  eventId: string | null;
  eventType: string | null;
  sizeBytes: number;
  reason: string;
  attempts: number;
  deadLetteredAt: string;
}

/** Platform events (registry and clearing topics): one type field, one payload each. */
export type PlatformEvent = (
  | { type: 'participant.upserted'; participant: ParticipantView }
  | { type: ContractEventType; contract: ContractTerms; reason?: string | null }
  | { type: 'dataset.changed'; dataset: string; owner: string; compatibility: CompatibilityMode }
  | { type: 'grant.changed'; grant: GrantView; actor: string; reason: string | null }
  | { type: 'transfer.changed'; transfer: TransferView; reason: string | null }
  | { type: 'person-consent.changed'; consent: PersonConsentView }
  | {
      type: 'data-key.destroyed';
      kid: string;
      originator: string;
      dataset: string;
      subjectRef: string | null;
    }
  | { type: 'outbox.dead-lettered'; service: string; deadLetter: DeadLetterNotice }
) &
  PlatformEventMeta;

export interface DecisionRecordInput {
  decisionId: string;
  service: string;
  action: string;
  requestedBy: string;
  dataset: string | null;
  grantId: string | null;
  allow: boolean;
  reasons: string[];
  /** The rule that decided: a deny's first (sorted) reason, ALLOW.<ACTION> for an allow. */
  rule: string;
  /** One per reason (one for the allow rule on an allow). */
  explanations: PolicyExplanation[];
  obligations: unknown;
  input: unknown;
  policyRevision: string;
  decidedAt: string;
  traceId: string | null;
  /** For publish and delivery decisions: the events the decision covered. */
  eventIds?: string[];
}
