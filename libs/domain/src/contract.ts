/** Field tags that the policies read. */
export const FieldTags = ['personal', 'sensitive-personal', 'competitive', 'cooperative'] as const;
export type FieldTag = (typeof FieldTags)[number];

export const Sensitivities = ['public', 'internal', 'confidential', 'restricted'] as const;
export type Sensitivity = (typeof Sensitivities)[number];

export const ContractStatuses = ['draft', 'active', 'deprecated', 'retired'] as const;
export type ContractStatus = (typeof ContractStatuses)[number];

export interface ContractTerms {
  dataset: string;
  owner: string;
  version: string;
  status: ContractStatus;
  title: string;
  domain: string;
  purposes: string[];
  sensitivity: Sensitivity;
  residency: string | null;
  retentionDays: number | null;
  fields: Record<string, { tags: FieldTag[] }>;
  schema: Record<string, unknown>;
}

/** Dataset ids are dotted lower-case names, e.g. `battery.cfp`; they become part of Kafka topic names. */
export const DATASET_ID_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*){1,4}$/;
