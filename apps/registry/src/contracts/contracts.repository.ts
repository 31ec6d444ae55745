import type { CompatibilityMode, PlatformEvent } from '@renkei/domain';
import type { PrismaClient } from '@renkei/persistence';

/** One contract version as stored. */
export type ContractRow = Awaited<ReturnType<PrismaClient['dataContract']['findUniqueOrThrow']>>;
/** A contract version with the participant that owns it (the ODCS export names the owner). */
export type ContractRowWithOwner = ContractRow & {
  owner: Awaited<ReturnType<PrismaClient['participant']['findUniqueOrThrow']>>;
};

/** A dataset: who owns it, and the mode every new version is checked under. */
export interface DatasetRow {
  id: string;
  ownerId: string;
  compatibility: CompatibilityMode;
}

/** The terms of a version, as stored: what a draft edit may change. */
export interface TermColumns {
  title: string;
  description: string | null;
  domain: string;
  purposes: string[];
  sensitivity: string;
  residency: string | null;
  retentionDays: number | null;
  visibility: string;
  invited: string[];
  approval: string;
  tags: string[];
  fields: unknown;
  schema: unknown;
}

export interface NewContract extends TermColumns {
  id: string;
  dataset: string;
  version: string;
  ownerId: string;
  status: string;
  compatibility: string;
  /** A derived dataset's inputs; null for an originator's own data. */
  lineage: unknown;
  /** Established by the platform from the verified lineage; null without lineage. */
  derived: unknown;
  /** A received dataset's DSP agreement (ContractTerms.source); null for the owner's own data. */
  source: unknown;
}

export interface TransitionRow {
  contractId: string;
  fromStatus: string | null;
  toStatus: string;
  actorId: string;
  reason: string | null;
  at: Date;
}

/** Reads and writes inside one transaction of a change to a dataset. */
export interface ContractsTx {
  /** The dataset, locked until the transaction ends (every change to one dataset is serialised). */
  lockDataset(dataset: string): Promise<DatasetRow | null>;
  createDataset(row: DatasetRow): Promise<DatasetRow>;
  setCompatibility(dataset: string, mode: CompatibilityMode): Promise<{ ownerId: string; updatedAt: Date }>;
  versions(dataset: string): Promise<ContractRow[]>;
  version(dataset: string, version: string): Promise<ContractRow | null>;
  versionById(id: string): Promise<ContractRow>;
  createVersion(row: NewContract): Promise<ContractRow>;
  updateTerms(id: string, terms: TermColumns): Promise<ContractRow>;
  updateStatus(id: string, status: string, compatibility: string): Promise<void>;
  /** Clears the current flag of every version of the dataset but `keep` (null: of every version). */
  clearCurrent(dataset: string, keep: string | null): Promise<void>;
  setCurrent(id: string): Promise<void>;
  recordTransition(row: TransitionRow): Promise<void>;
  /** Writes a registry event to the outbox: it commits with the change (registryOutboxRow's checks apply). */
  emit(event: PlatformEvent, key: string, actorId: string): Promise<void>;
}

/**
 * Where the registry keeps datasets, contract versions and their transitions: the narrow interface
 * ContractsService works against (PostgreSQL through Prisma in the service, an in-memory store in its unit
 * spec). An abstract class, so that it is its own injection token.
 */
export abstract class ContractsRepository {
  /** The participant's status (active, suspended), or null if there is no such participant. */
  abstract participantStatus(id: string): Promise<string | null>;
  /** Of `ids`, those that name a participant. */
  abstract existingParticipants(ids: readonly string[]): Promise<Set<string>>;
  abstract dataset(dataset: string): Promise<DatasetRow | null>;
  abstract versions(dataset: string): Promise<ContractRow[]>;
  abstract version(dataset: string, version: string): Promise<ContractRow | null>;
  abstract versionWithOwner(dataset: string, version: string): Promise<ContractRowWithOwner | null>;
  /** The versions named by (dataset, version) pairs that exist. */
  abstract versionsOf(pairs: readonly { dataset: string; version: string }[]): Promise<ContractRow[]>;
  /** A version's transitions, oldest first. */
  abstract transitions(contractId: string): Promise<TransitionRow[]>;
  /**
   * Runs `work` in one transaction. Two changes to one dataset racing on a unique key (the first version of
   * a new dataset, twice) end in 409 CONTRACT.CONCURRENT_CHANGE for the later one.
   */
  abstract inTransaction<T>(work: (tx: ContractsTx) => Promise<T>): Promise<T>;
}
