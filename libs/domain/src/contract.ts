import { conflict } from './errors.js';

/** Field tags that the policies read. */
export const FieldTags = ['personal', 'sensitive-personal', 'competitive', 'cooperative'] as const;
export type FieldTag = (typeof FieldTags)[number];

export const Sensitivities = ['public', 'internal', 'confidential', 'restricted'] as const;
export type Sensitivity = (typeof Sensitivities)[number];

/**
 * The least protection each sensitivity level demands of the platform and of every consumer.
 * `field-encryption`: protected fields travel encrypted with a data key held by clearing.
 */
export const MinimumProtection = {
  public: 'none',
  internal: 'access-control',
  confidential: 'access-control',
  restricted: 'field-encryption',
} as const satisfies Record<Sensitivity, string>;
export type Protection = (typeof MinimumProtection)[Sensitivity];

export const ContractDomains = ['supply-chain', 'logistics', 'energy', 'health', 'other'] as const;
export type ContractDomain = (typeof ContractDomains)[number];

export const ContractStatuses = ['draft', 'active', 'deprecated', 'retired'] as const;
export type ContractStatus = (typeof ContractStatuses)[number];

/**
 * How each new schema version must relate to earlier ones (Confluent's names, ADR 0007).
 * BACKWARD: the new schema accepts every payload the previous one accepted (consumers may upgrade first).
 * FORWARD: every payload the new schema accepts, the previous one accepted (producers may upgrade first).
 * FULL: both. _TRANSITIVE: against every earlier version, not only the latest.
 */
export const CompatibilityModes = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityMode = (typeof CompatibilityModes)[number];

/** Who may discover a dataset in the catalog: every consortium member, or only invited participants. */
export const Visibilities = ['consortium', 'invited'] as const;
export type Visibility = (typeof Visibilities)[number];

/**
 * Who approves a grant request on the dataset (and so agrees a Dataspace Protocol contract, ADR 0029):
 * `originator`: the owner decides each request (the default); `policy`: a request the policy allows is
 * approved at once, with the rule that allowed it on the audit chain.
 */
export const Approvals = ['originator', 'policy'] as const;
export type Approval = (typeof Approvals)[number];

export interface FieldTerms {
  tags: FieldTag[];
  /** Country this field's values may not leave (ISO 3166-1 alpha-2), e.g. JP; null: no restriction. */
  residency?: string | null;
  description?: string | null;
}

export interface ContractTerms {
  dataset: string;
  owner: string;
  version: string;
  status: ContractStatus;
  title: string;
  description?: string | null;
  domain: string;
  purposes: string[];
  sensitivity: Sensitivity;
  /** Country the whole dataset may not leave, or null. */
  residency: string | null;
  retentionDays: number | null;
  compatibility?: CompatibilityMode;
  visibility?: Visibility;
  /** Participant ids that may discover an `invited` dataset (the owner always can). */
  invited?: string[];
  /** Who approves grant requests: the originator (default) or the policy alone. */
  approval?: Approval;
  fields: Record<string, FieldTerms>;
  schema: Record<string, unknown>;
  /**
   * A derived dataset's terms: the input datasets (and versions) its events were computed from. A derived
   * dataset is governed by all of its inputs' terms: the policy refuses it to anyone who does not hold a
   * live grant on every input (LINEAGE.INPUT_NOT_VISIBLE), unless `derived` declares it an aggregate
   * resting on at least the contract's minimum k contributors. Absent: not derived.
   */
  lineage?: DatasetRef[];
  /** How a derived dataset relates to its inputs' contributors (only meaningful with `lineage`). */
  derived?: DerivedTerms;
  /**
   * A dataset received from another data space: the Dataspace Protocol agreement its events arrive under,
   * the provider connector (its participant id here, the registered peer) and the provider's dataset id.
   * A member's consumer transfer delivers into the dataset only under this agreement; the catalog shows it
   * as the dataset's lineage (`dct:source`). Absent: the data is the owner's own.
   */
  source?: ContractSource;
}

/** Where a received dataset's events come from (see ContractTerms.source). */
export interface ContractSource {
  agreementId: string;
  provider: string;
  dataset: string;
}

/** One input of a derived dataset. */
export interface DatasetRef {
  dataset: string;
  version: string;
}

export interface DerivedTerms {
  /** True when each event aggregates many contributors and reveals no single one's figures. */
  aggregate: boolean;
  /**
   * Distinct participants whose data went into it; null when unknown (never enough for the k rule). Set by
   * the registry from the verified lineage (the size of `originators`), never taken from the registrant.
   */
  contributors: number | null;
  /**
   * The distinct originators behind the lineage, established by the registry: the owner of each input,
   * and through a derived input its own originators. The policy counts these, not `contributors`.
   */
  originators?: string[];
  /** True when the registry verified the lineage (the registrant held a grant on, or owned, every input). */
  verified?: boolean;
}

const contractMoves: Record<ContractStatus, readonly ContractStatus[]> = {
  draft: ['active'],
  active: ['deprecated'],
  deprecated: ['retired'],
  retired: [],
};

const moveHints: Partial<Record<`${ContractStatus}->${ContractStatus}`, string>> = {
  'active->retired':
    'Deprecate the version first, so consumers holding access are notified before it is retired',
  'retired->active': 'A retired version stays retired: publish a new version instead',
  'deprecated->active': 'A deprecation cannot be withdrawn: publish a new version instead',
  'draft->deprecated': 'A draft was never published: activate it, or simply abandon it',
  'draft->retired': 'A draft was never published: activate it, or simply abandon it',
};

/**
 * Contract versions move draft → active → deprecated → retired and never back: consumers rely on a
 * published version's terms staying as they were.
 */
export function assertContractTransition(from: ContractStatus, to: ContractStatus): void {
  if (contractMoves[from].includes(to)) return;
  throw conflict(
    'CONTRACT.ILLEGAL_TRANSITION',
    `A contract version in status '${from}' cannot become '${to}'`,
    moveHints[`${from}->${to}`] ??
      (contractMoves[from].length > 0
        ? `From '${from}' a contract version can become: ${contractMoves[from].join(', ')}`
        : `'${from}' is final`),
  );
}

/** The protection a contract demands at least, from its sensitivity. */
export function minimumProtection(sensitivity: Sensitivity): Protection {
  return MinimumProtection[sensitivity];
}
