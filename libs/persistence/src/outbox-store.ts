import type { DeadLetter, OutboxOutcome, OutboxRow, OutboxStore } from '@renkei/kafka';
import { collectedGauge } from '@renkei/platform';
import type { Prisma, PrismaClient } from './prisma.js';

export type ServiceSchema = 'registry' | 'clearing';

/** Writes an event row in the same transaction as the state change it announces. */
export interface OutboxWriter {
  $executeRaw: PrismaClient['$executeRaw'];
}

/**
 * Called in the transaction that parks rows, so the compliance-visible record of a dead letter commits
 * with it: the registry announces it on its event topic (clearing puts it on the audit chain), clearing
 * appends it to its audit chain directly.
 */
export type OnDeadLetter = (tx: Prisma.TransactionClient, letters: DeadLetter[]) => Promise<void>;

/**
 * The relay's view of one service's outbox table. A transaction-scoped advisory lock keeps one relay per
 * schema active at a time, so events leave in commit order even with several replicas.
 */
export class PrismaOutboxStore implements OutboxStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly schema: ServiceSchema,
    private readonly onDeadLetter?: OnDeadLetter,
  ) {
    // Read from the tables when Prometheus scrapes (cached 5 s): the queue is what the database holds, so
    // every replica reports the same figure. Labelled by service (two values), never by topic or key.
    collectedGauge('renkei_outbox_depth', 'Outbox events not yet on Kafka', ['service'], async () => {
      const [row] = await prisma.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM "${schema}".outbox WHERE sent_at IS NULL`,
      );
      return [{ labels: { service: schema }, value: row?.n ?? 0 }];
    });
    collectedGauge(
      'renkei_outbox_dead_letter_rows',
      'Outbox events parked in the dead-letter table, waiting for an operator',
      ['service'],
      async () => {
        const [row] = await prisma.$queryRawUnsafe<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM "${schema}".outbox_dead_letter`,
        );
        return [{ labels: { service: schema }, value: row?.n ?? 0 }];
      },
    );
  }

  async withUnsent(
    limit: number,
    work: (rows: OutboxRow[]) => Promise<OutboxOutcome | void>,
  ): Promise<number> {
    return this.prisma.$transaction(
      async (tx) => {
        const [lock] = await tx.$queryRawUnsafe<{ locked: boolean }[]>(
          `SELECT pg_try_advisory_xact_lock(hashtext('renkei.outbox.' || $1)) AS locked`,
          this.schema,
        );
        if (!lock?.locked) return 0;
        const rows = await tx.$queryRawUnsafe<OutboxRow[]>(
          `SELECT id, topic, key, value, attempts, created_at AS "createdAt" FROM "${this.schema}".outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1`,
          limit,
        );
        if (rows.length === 0) return 0;
        const outcome = (await work(rows)) ?? { sent: rows.map((r) => r.id), parked: [] };
        await this.record(tx, outcome);
        return rows.length;
      },
      // Long enough for a failed chunk and the one-by-one retry that finds its culprit, each with kafkajs's
      // full retry schedule (~25 s): the attempt must be recorded, or a retriable poison would never park.
      { timeout: 120_000, maxWait: 10_000 },
    );
  }

  private async record(tx: Prisma.TransactionClient, outcome: OutboxOutcome): Promise<void> {
    if (outcome.sent.length > 0) {
      await tx.$executeRawUnsafe(
        `UPDATE "${this.schema}".outbox SET sent_at = now() WHERE id = ANY($1::bigint[])`,
        outcome.sent.map((id) => id.toString()),
      );
    }
    for (const letter of outcome.parked) {
      // Moved, not copied: the row leaves the queue so the rows behind it go on.
      await tx.$executeRawUnsafe(
        `INSERT INTO "${this.schema}".outbox_dead_letter (id, topic, key, value, size_bytes, reason, error, attempts, created_at)
         SELECT id, topic, key, value, $2, $3, $4, $5, created_at FROM "${this.schema}".outbox WHERE id = $1::bigint
         ON CONFLICT (id) DO NOTHING`,
        letter.row.id.toString(),
        letter.sizeBytes,
        letter.reason,
        letter.error,
        letter.attempts,
      );
      await tx.$executeRawUnsafe(
        `DELETE FROM "${this.schema}".outbox WHERE id = $1::bigint`,
        letter.row.id.toString(),
      );
    }
    if (outcome.parked.length > 0 && this.onDeadLetter) await this.onDeadLetter(tx, outcome.parked);
    if (outcome.failed?.counted) {
      await tx.$executeRawUnsafe(
        `UPDATE "${this.schema}".outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1::bigint`,
        outcome.failed.id.toString(),
        outcome.failed.error,
      );
    }
  }
}
