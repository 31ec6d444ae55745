/**
 * ContractsRepository in memory, for unit specs of the registry's contract rules. It keeps the semantics
 * the service relies on from PostgreSQL — held to them by the shared suite in contracts-repository.contract.ts
 * — : transactions run one at a time (the row lock serialises changes to a dataset), a failed one leaves
 * nothing behind, rows leave the store as snapshots, and a second version with the same number is the
 * unique-key race's 409.
 */
import { conflict, type PlatformEvent } from '@renkei/domain';
import { registryOutboxRow } from '../../apps/registry/src/registry-events.js';
import {
  ContractsRepository,
  type ContractRow,
  type ContractRowWithOwner,
  type ContractsTx,
  type DatasetRow,
  type NewContract,
  type TermColumns,
  type TransitionRow,
} from '../../apps/registry/src/contracts/contracts.repository.js';

export interface State {
  participants: Map<string, { id: string; status: string }>;
  datasets: Map<string, DatasetRow & { updatedAt: Date }>;
  versions: ContractRow[];
  transitions: TransitionRow[];
  events: PlatformEvent[];
}

export class InMemoryContracts extends ContractsRepository {
  state: State = { participants: new Map(), datasets: new Map(), versions: [], transitions: [], events: [] };
  private queue: Promise<unknown> = Promise.resolve();

  participantStatus(id: string) {
    return Promise.resolve(this.state.participants.get(id)?.status ?? null);
  }
  existingParticipants(ids: readonly string[]) {
    return Promise.resolve(new Set(ids.filter((id) => this.state.participants.has(id))));
  }
  dataset(dataset: string) {
    const row = this.state.datasets.get(dataset);
    return Promise.resolve(
      row ? { id: row.id, ownerId: row.ownerId, compatibility: row.compatibility } : null,
    );
  }
  versions(dataset: string) {
    return Promise.resolve(snapshots(this.state.versions.filter((v) => v.dataset === dataset)));
  }
  version(dataset: string, version: string) {
    return Promise.resolve(
      snapshot(this.state.versions.find((v) => v.dataset === dataset && v.version === version)),
    );
  }
  async versionWithOwner(dataset: string, version: string): Promise<ContractRowWithOwner | null> {
    const row = await this.version(dataset, version);
    if (!row) return null;
    const participant = this.state.participants.get(row.ownerId);
    const owner = {
      id: row.ownerId,
      legalName: 'Owner KK',
      corporateNumber: null,
      lei: null,
      bpn: null,
      industry: 'batteries',
      country: 'JP',
      roles: ['member'],
      certifications: [],
      protection: 'access-control',
      certificationTerms: {},
      status: participant?.status ?? 'active',
      offboardedAt: null,
      offboardReason: null,
      jwks: {},
      createdAt: new Date(0),
      updatedAt: new Date(0),
    };
    return { ...row, owner };
  }
  versionsOf(pairs: readonly { dataset: string; version: string }[]) {
    return Promise.resolve(
      snapshots(
        this.state.versions.filter((v) =>
          pairs.some((p) => p.dataset === v.dataset && p.version === v.version),
        ),
      ),
    );
  }
  transitions(contractId: string) {
    return Promise.resolve(snapshots(this.state.transitions.filter((t) => t.contractId === contractId)));
  }

  inTransaction<T>(work: (tx: ContractsTx) => Promise<T>): Promise<T> {
    const run = async () => {
      const before = structuredClone(this.state);
      try {
        return await work(this.tx());
      } catch (error) {
        this.state = before;
        throw error;
      }
    };
    const result = this.queue.then(run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private tx(): ContractsTx {
    const s = () => this.state;
    const row = (id: string) => {
      const found = s().versions.find((v) => v.id === id);
      if (!found) throw new Error(`no version ${id}`);
      return found;
    };
    const withTerms = (terms: TermColumns) => ({
      ...terms,
      fields: terms.fields as ContractRow['fields'],
      schema: terms.schema as ContractRow['schema'],
    });
    return {
      lockDataset: (dataset) => this.dataset(dataset),
      createDataset: (dataset) => {
        if (s().datasets.has(dataset.id)) throw uniqueViolation();
        s().datasets.set(dataset.id, { ...dataset, updatedAt: new Date() });
        return Promise.resolve(dataset);
      },
      setCompatibility: (dataset, mode) => {
        const found = s().datasets.get(dataset)!;
        Object.assign(found, { compatibility: mode, updatedAt: new Date() });
        return Promise.resolve({ ownerId: found.ownerId, updatedAt: found.updatedAt });
      },
      versions: (dataset) => Promise.resolve(snapshots(s().versions.filter((v) => v.dataset === dataset))),
      version: (dataset, version) =>
        Promise.resolve(snapshot(s().versions.find((v) => v.dataset === dataset && v.version === version))),
      versionById: (id) => Promise.resolve(structuredClone(row(id))),
      createVersion: (input: NewContract) => {
        if (s().versions.some((v) => v.dataset === input.dataset && v.version === input.version))
          throw uniqueViolation();
        const now = new Date();
        const created: ContractRow = {
          ...withTerms(input),
          id: input.id,
          dataset: input.dataset,
          version: input.version,
          ownerId: input.ownerId,
          status: input.status,
          compatibility: input.compatibility,
          current: false,
          lineage: input.lineage ?? null,
          derived: input.derived ?? null,
          source: input.source ?? null,
          createdAt: now,
          updatedAt: now,
        };
        s().versions.push(created);
        return Promise.resolve(structuredClone(created));
      },
      updateTerms: (id, terms) => {
        Object.assign(row(id), withTerms(terms), { updatedAt: new Date() });
        return Promise.resolve(structuredClone(row(id)));
      },
      updateStatus: (id, status, compatibility) => {
        Object.assign(row(id), { status, compatibility, updatedAt: new Date() });
        return Promise.resolve();
      },
      clearCurrent: (dataset, keep) => {
        for (const v of s().versions)
          if (v.dataset === dataset && v.current && v.id !== keep) v.current = false;
        return Promise.resolve();
      },
      setCurrent: (id) => {
        row(id).current = true;
        return Promise.resolve();
      },
      recordTransition: (transition) => {
        s().transitions.push(transition);
        return Promise.resolve();
      },
      emit: (event, key, actorId) => {
        s().events.push(registryOutboxRow(event, key, actorId).value);
        return Promise.resolve();
      },
    };
  }
}

/** Rows leave the store as copies, as they leave a database: a later write does not change them. */
const snapshot = <T extends object>(row: T | undefined): T | null => (row ? structuredClone(row) : null);
const snapshots = <T extends object>(rows: T[]): T[] => rows.map((r) => structuredClone(r));

/** What PostgreSQL's unique index reports when two changes race (mapped by the Prisma repository). */
const uniqueViolation = () =>
  conflict(
    'CONTRACT.CONCURRENT_CHANGE',
    'Another change to this dataset was made at the same moment',
    'Read the dataset again and retry',
  );
