import { Injectable } from '@nestjs/common';
import { conflict, type CompatibilityMode, type PlatformEvent } from '@renkei/domain';
import { Prisma, PrismaClient, asJson } from '@renkei/persistence';
import { emitRegistryEvent } from '../registry-events.js';
import {
  ContractsRepository,
  type ContractRow,
  type ContractRowWithOwner,
  type ContractsTx,
  type DatasetRow,
  type NewContract,
  type TermColumns,
  type TransitionRow,
} from './contracts.repository.js';

const NO_ID = '00000000-0000-0000-0000-000000000000';

const jsonColumns = (terms: TermColumns) => ({
  ...terms,
  fields: asJson(terms.fields),
  schema: asJson(terms.schema),
});

/** ContractsTx over a Prisma transaction. */
class PrismaContractsTx implements ContractsTx {
  constructor(private readonly tx: Prisma.TransactionClient) {}

  async lockDataset(dataset: string): Promise<DatasetRow | null> {
    const rows = await this.tx.$queryRaw<{ id: string; owner_id: string; compatibility: string }[]>`
      SELECT id, owner_id, compatibility FROM registry.datasets WHERE id = ${dataset} FOR UPDATE`;
    const row = rows[0];
    return row
      ? { id: row.id, ownerId: row.owner_id, compatibility: row.compatibility as CompatibilityMode }
      : null;
  }

  async createDataset(row: DatasetRow): Promise<DatasetRow> {
    const created = await this.tx.dataset.create({ data: row });
    return {
      id: created.id,
      ownerId: created.ownerId,
      compatibility: created.compatibility as CompatibilityMode,
    };
  }

  setCompatibility(dataset: string, mode: CompatibilityMode) {
    return this.tx.dataset.update({ where: { id: dataset }, data: { compatibility: mode } });
  }

  versions(dataset: string): Promise<ContractRow[]> {
    return this.tx.dataContract.findMany({ where: { dataset } });
  }

  version(dataset: string, version: string): Promise<ContractRow | null> {
    return this.tx.dataContract.findUnique({ where: { dataset_version: { dataset, version } } });
  }

  versionById(id: string): Promise<ContractRow> {
    return this.tx.dataContract.findUniqueOrThrow({ where: { id } });
  }

  createVersion({ lineage, derived, source, ...row }: NewContract): Promise<ContractRow> {
    return this.tx.dataContract.create({
      data: {
        ...row,
        ...jsonColumns(row),
        lineage: lineage == null ? Prisma.DbNull : asJson(lineage),
        derived: derived == null ? Prisma.DbNull : asJson(derived),
        source: source == null ? Prisma.DbNull : asJson(source),
      },
    });
  }

  updateTerms(id: string, terms: TermColumns): Promise<ContractRow> {
    return this.tx.dataContract.update({ where: { id }, data: jsonColumns(terms) });
  }

  async updateStatus(id: string, status: string, compatibility: string): Promise<void> {
    await this.tx.dataContract.update({ where: { id }, data: { status, compatibility } });
  }

  async clearCurrent(dataset: string, keep: string | null): Promise<void> {
    await this.tx.dataContract.updateMany({
      where: { dataset, current: true, NOT: { id: keep ?? NO_ID } },
      data: { current: false },
    });
  }

  async setCurrent(id: string): Promise<void> {
    await this.tx.dataContract.update({ where: { id }, data: { current: true } });
  }

  async recordTransition(row: TransitionRow): Promise<void> {
    await this.tx.contractTransition.create({ data: row });
  }

  emit(event: PlatformEvent, key: string, actorId: string): Promise<void> {
    return emitRegistryEvent(this.tx, event, key, actorId);
  }
}

/** The registry's datasets and contract versions in PostgreSQL (schema `registry`). */
@Injectable()
export class PrismaContractsRepository extends ContractsRepository {
  constructor(private readonly prisma: PrismaClient) {
    super();
  }

  async participantStatus(id: string): Promise<string | null> {
    const participant = await this.prisma.participant.findUnique({ where: { id }, select: { status: true } });
    return participant?.status ?? null;
  }

  async existingParticipants(ids: readonly string[]): Promise<Set<string>> {
    const known = await this.prisma.participant.findMany({
      where: { id: { in: [...ids] } },
      select: { id: true },
    });
    return new Set(known.map((p) => p.id));
  }

  async dataset(dataset: string): Promise<DatasetRow | null> {
    const row = await this.prisma.dataset.findUnique({ where: { id: dataset } });
    return row
      ? { id: row.id, ownerId: row.ownerId, compatibility: row.compatibility as CompatibilityMode }
      : null;
  }

  versions(dataset: string): Promise<ContractRow[]> {
    return this.prisma.dataContract.findMany({ where: { dataset } });
  }

  version(dataset: string, version: string): Promise<ContractRow | null> {
    return this.prisma.dataContract.findUnique({ where: { dataset_version: { dataset, version } } });
  }

  versionWithOwner(dataset: string, version: string): Promise<ContractRowWithOwner | null> {
    return this.prisma.dataContract.findUnique({
      where: { dataset_version: { dataset, version } },
      include: { owner: true },
    });
  }

  versionsOf(pairs: readonly { dataset: string; version: string }[]): Promise<ContractRow[]> {
    return this.prisma.dataContract.findMany({
      where: { OR: pairs.map((l) => ({ dataset: l.dataset, version: l.version })) },
    });
  }

  async transitions(contractId: string): Promise<TransitionRow[]> {
    return this.prisma.contractTransition.findMany({ where: { contractId }, orderBy: { id: 'asc' } });
  }

  async inTransaction<T>(work: (tx: ContractsTx) => Promise<T>): Promise<T> {
    try {
      return await this.prisma.$transaction((tx) => work(new PrismaContractsTx(tx)));
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw conflict(
          'CONTRACT.CONCURRENT_CHANGE',
          'Another change to this dataset was made at the same moment',
          'Read the dataset again and retry',
        );
      }
      throw error;
    }
  }
}
