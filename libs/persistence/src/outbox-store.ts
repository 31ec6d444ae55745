import type { OutboxRow, OutboxStore } from '#libs/kafka';
import type { PrismaClient } from './prisma.js';

export type ServiceSchema = 'registry' | 'clearing';

/** Writes an event row in the same transaction as the state change it announces. */
export interface OutboxWriter {
  $executeRaw: PrismaClient['$executeRaw'];
}

/**
 * The relay's view of one service's outbox table. A transaction-scoped advisory lock keeps one relay per
 * schema active at a time, so events leave in commit order even with several replicas.
 */
export class PrismaOutboxStore implements OutboxStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly schema: ServiceSchema,
  ) {}

  async withUnsent(limit: number, work: (rows: OutboxRow[]) => Promise<void>): Promise<number> {
    return this.prisma.$transaction(
      async (tx) => {
        const [lock] = await tx.$queryRawUnsafe<{ locked: boolean }[]>(
          `SELECT pg_try_advisory_xact_lock(hashtext('renkei.outbox.' || $1)) AS locked`,
          this.schema,
        );
        if (!lock?.locked) return 0;
        const rows = await tx.$queryRawUnsafe<OutboxRow[]>(
          `SELECT id, topic, key, value FROM "${this.schema}".outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1`,
          limit,
        );
        if (rows.length === 0) return 0;
        await work(rows);
        await tx.$executeRawUnsafe(
          `UPDATE "${this.schema}".outbox SET sent_at = now() WHERE id = ANY($1::bigint[])`,
          rows.map((r) => r.id.toString()),
        );
        return rows.length;
      },
      { timeout: 30_000, maxWait: 10_000 },
    );
  }
}
