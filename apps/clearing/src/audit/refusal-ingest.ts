import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { SupervisedConsumer } from '#libs/kafka';
import { Topics, type RefusalRecord } from '#libs/domain';
import type { PrismaClient } from '#libs/persistence';
import { appendAudit, refusalEntry } from './audit-log.js';

/** Appends refusal records not yet on the chain (a redelivered or re-flushed one is skipped by its id). */
export async function appendRefusals(prisma: PrismaClient, records: RefusalRecord[]): Promise<void> {
  if (records.length === 0) return;
  await prisma.$transaction(async (tx) => {
    const seen = new Set(
      (
        await tx.auditEntry.findMany({
          where: { id: { in: records.map((r) => r.id) } },
          select: { id: true },
        })
      ).map((e) => e.id),
    );
    const fresh = new Map(records.filter((r) => !seen.has(r.id)).map((r) => [r.id, r]));
    await appendAudit(tx, [...fresh.values()].map(refusalEntry));
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A message another service sent is input like any other: only well-formed records reach the chain. */
export function parseRefusal(value: Buffer | null): RefusalRecord | null {
  if (!value || value.length > 64 * 1024) return null;
  let r: Partial<RefusalRecord>;
  try {
    r = JSON.parse(value.toString('utf8')) as Partial<RefusalRecord>;
  } catch {
    return null;
  }
  const str = (v: unknown, max = 200) => typeof v === 'string' && v.length > 0 && v.length <= max;
  const ok =
    typeof r === 'object' &&
    r !== null &&
    str(r.id) &&
    UUID.test(r.id!) &&
    str(r.service, 40) &&
    str(r.code, 80) &&
    str(r.category, 40) &&
    typeof r.status === 'number' &&
    typeof r.count === 'number' &&
    r.count >= 1 &&
    str(r.firstAt, 40) &&
    str(r.lastAt, 40) &&
    !Number.isNaN(Date.parse(r.lastAt!)) &&
    Array.isArray(r.targets);
  return ok ? (r as RefusalRecord) : null;
}

/**
 * Appends the security refusals of the other services (topic `<prefix>.audit.refusals`) to the audit
 * chain, like DecisionIngest: offsets are committed only after the batch is durably in PostgreSQL, a
 * redelivered record is skipped by its id, and a malformed message is logged and skipped, never fatal.
 */
export class RefusalIngest {
  private readonly supervised: SupervisedConsumer;

  constructor(
    kafka: Kafka,
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
  ) {
    // Supervised like DecisionIngest: with the database or the broker away a new consumer resumes from
    // the committed offsets once they are back; nothing ends the process.
    this.supervised = new SupervisedConsumer(
      'refusal-ingest',
      () =>
        kafka.consumer({
          groupId: `${Topics.auditRefusals}.clearing`,
          maxWaitTimeInMs: 100,
          sessionTimeout: 10_000,
          heartbeatInterval: 1_000,
        }),
      (consumer) => this.run(consumer),
      logger,
    );
  }

  /** Resolves once the consumer runs; if Kafka is away it keeps trying in the background. */
  start(): Promise<void> {
    return this.supervised.start();
  }

  private async run(consumer: Consumer): Promise<void> {
    await consumer.subscribe({ topics: [Topics.auditRefusals], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const records: RefusalRecord[] = [];
        for (const message of batch.messages) {
          const record = parseRefusal(message.value);
          if (record) records.push(record);
          else this.logger.error({ offset: message.offset }, 'malformed refusal record skipped');
        }
        await appendRefusals(this.prisma, records);
        const last = batch.messages[batch.messages.length - 1];
        if (last) {
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
          ]);
        }
        await heartbeat();
      },
    });
  }

  stop(): Promise<void> {
    return this.supervised.stop();
  }
}
