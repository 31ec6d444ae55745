import type { CompatibilityMode, ContractTerms } from './contract.js';
import type { GrantState } from './grant.js';
import type { ParticipantView } from './participant.js';
import type { PersonConsentView } from './person-consent.js';

/**
 * Topic names are the platform's, never a participant's choice. TOPIC_PREFIX (default `renkei`) separates
 * deployments sharing one cluster, e.g. each end-to-end run gets its own.
 */
const prefix = () => process.env.TOPIC_PREFIX ?? 'renkei';
export const Topics = {
  get registryEvents() {
    return `${prefix()}.registry.events`;
  },
  get clearingEvents() {
    return `${prefix()}.clearing.events`;
  },
  get auditDecisions() {
    return `${prefix()}.audit.decisions`;
  },
  get auditCheckpoints() {
    return `${prefix()}.audit.checkpoints`;
  },
  data: (dataset: string) => `${prefix()}.data.${dataset}`,
  deadLetter: (dataset: string) => `${prefix()}.dlq.${dataset}`,
};

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

/** Platform events (registry and clearing topics): one type field, one payload each. */
export type PlatformEvent = (
  | { type: 'participant.upserted'; participant: ParticipantView }
  | { type: ContractEventType; contract: ContractTerms; reason?: string | null }
  | { type: 'dataset.changed'; dataset: string; owner: string; compatibility: CompatibilityMode }
  | { type: 'grant.changed'; grant: GrantView; actor: string; reason: string | null }
  | { type: 'person-consent.changed'; consent: PersonConsentView }
  | {
      type: 'data-key.destroyed';
      kid: string;
      originator: string;
      dataset: string;
      subjectRef: string | null;
    }
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
  obligations: unknown;
  input: unknown;
  policyRevision: string;
  decidedAt: string;
  traceId: string | null;
  /** For publish and delivery decisions: the events the decision covered. */
  eventIds?: string[];
}
