/**
 * The shapes of the public API answers the steward pages read (docs/api/*.openapi.json). Written by hand
 * for the fields the pages use: the console bundle does not import the SDK (it is a Node library).
 */
export type Domain = 'supply-chain' | 'logistics' | 'energy' | 'health' | 'other';
export const domains: Domain[] = ['supply-chain', 'logistics', 'energy', 'health', 'other'];
export type FieldTag = 'personal' | 'sensitive-personal' | 'competitive' | 'cooperative';
export const fieldTags: FieldTag[] = ['personal', 'sensitive-personal', 'competitive', 'cooperative'];
export type ContractStatus = 'draft' | 'active' | 'deprecated' | 'retired';

export interface ContractView {
  dataset: string;
  version: string;
  owner: string;
  status: ContractStatus;
  current: boolean;
  title: string;
  description: string | null;
  domain: Domain;
  purposes: string[];
  sensitivity: 'public' | 'internal' | 'confidential' | 'restricted';
  minimumProtection: 'none' | 'access-control' | 'field-encryption';
  residency: string | null;
  retentionDays: number | null;
  compatibility: string;
  visibility: 'consortium' | 'invited';
  invited: string[];
  /** Who approves grant requests (absent from older answers: the originator). */
  approval?: 'originator' | 'policy';
  /** A received dataset: the external agreement its events arrive under. */
  source?: { agreementId: string; provider: string; dataset?: string };
  fields: Record<string, { tags: string[]; residency?: string | null; description?: string | null }>;
  schema: Record<string, unknown>;
  lineage?: { dataset: string; version: string }[];
  createdAt: string;
  updatedAt: string;
}

export interface CatalogPage {
  items: ContractView[];
  nextCursor: string | null;
}

export interface Transition {
  from: ContractStatus | null;
  to: ContractStatus;
  actor: string;
  reason: string | null;
  at: string;
}

export interface SchemaBreak {
  schemaPath: string;
  message: string;
  kind: string;
  field: string;
  against?: string;
  direction?: string;
}

export interface CompatibilityReport {
  dataset: string;
  version: string;
  compatibility: string;
  checkedAgainst: string[];
  compatible: boolean;
  breaks: SchemaBreak[];
}

export type GrantState = 'requested' | 'granted' | 'suspended' | 'revoked' | 'expired' | 'rejected';

export interface Grant {
  id: string;
  state: GrantState;
  originator: string;
  consumer: string;
  dataset: string;
  purpose: string;
  fields: string[] | null;
  validFrom: string;
  validUntil: string | null;
  onwardTransfer: boolean;
  deletionDays: number;
  historyFrom: string | null;
  historyRequested: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface GrantRequest {
  dataset: string;
  purpose: string;
  fields?: string[] | null;
  validUntil?: string | null;
  onwardTransfer?: boolean;
  deletionDays?: number;
  historyFrom?: string | null;
}

export interface DatasetToken {
  access_token: string;
  expires_in: number;
  scope: string;
}

export interface UsageConsumer {
  dataset: string | null;
  consumer: string;
  purposes: string[];
  grants: string[];
  tokensIssued: number;
  deliveries: number;
  eventsDelivered: number;
  denied: number;
  firstAt: string;
  lastAt: string;
}

export interface UsageItem {
  seq: number;
  at: string;
  dataset: string | null;
  consumer: string;
  action: string;
  purpose: string | null;
  grant: string | null;
  allow: boolean | null;
  events: number | null;
  reasons: string[];
}

export interface Usage {
  datasets: string[];
  consumers: UsageConsumer[];
  items: UsageItem[];
  next: number | null;
}

export interface UsageSeriesRow {
  bucket: string;
  dataset: string;
  consumer: string;
  purpose: string | null;
  deliveries: number;
  events: number;
  tokens: number;
  denied: number;
}

export interface UsageSeries {
  bucket: 'hour' | 'day';
  from: string;
  to: string;
  datasets: string[];
  rows: UsageSeriesRow[];
  truncated: boolean;
}

export interface StreamEvent {
  id: string;
  type: string;
  schemaVersion: string;
  occurredAt: string;
  publishedAt: string;
  dataset: string;
  contractVersion: string;
  originator: string;
  subject?: string;
  labels?: string[];
  payload: Record<string, unknown>;
  erased?: string[];
}

export type StreamLine =
  | { type: 'event'; event: StreamEvent; position: string }
  | { type: 'heartbeat'; at: string }
  | { type: 'notice'; code: string; dataset: string; version: string; message: string; reason: string | null }
  | { type: 'end'; code: string; message: string };

export interface Published {
  accepted: number;
  dataset: string;
  contractVersion: string;
  warnings?: string[];
  eventIds: string[];
  partitions: { partition: number; baseOffset: string }[];
}
