import type { Consumer, Kafka } from 'kafkajs';
import { SupervisedConsumer, type SupervisedState } from '#libs/kafka';
import type { Logger } from 'pino';
import { Topics, type DecisionRecordInput } from '#libs/domain';
import type { PrismaClient } from '#libs/persistence';
import { appendAudit, decisionEntry } from './audit-log.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The fields the chain entry is built from, with the types it needs (the rest is kept as sent). */
export function isDecisionRecord(v: unknown): v is DecisionRecordInput {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  const text = (x: unknown) => typeof x === 'string' && x.length > 0 && x.length <= 200;
  const orNull = (x: unknown) => x === null || text(x);
  return (
    typeof r.decisionId === 'string' &&
    UUID.test(r.decisionId) &&
    text(r.requestedBy) &&
    typeof r.allow === 'boolean' &&
    typeof r.decidedAt === 'string' &&
    !Number.isNaN(Date.parse(r.decidedAt)) &&
    orNull(r.dataset ?? null) &&
    orNull(r.grantId ?? null)
  );
}

/**
 * Appends the exchange's decision records (publish, subscribe, deliveries) to the audit chain. Offsets are
 * committed only after the batch is durably in PostgreSQL; a redelivered record is skipped by its id.
 * Supervised: with the database or the broker away the consumer stops and a new one resumes from the
 * committed offsets once they are back, so nothing is skipped and nothing ends the process.
 */
export class DecisionIngest {
  private readonly supervised: SupervisedConsumer;

  constructor(
    kafka: Kafka,
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
    report?: (state: SupervisedState, reason?: unknown) => void,
  ) {
    this.supervised = new SupervisedConsumer(
      'decision-ingest',
      // A short session: after a crash the group is rebalanced to the new process within seconds.
      () =>
        kafka.consumer({
          groupId: `${Topics.auditDecisions}.clearing`,
          maxWaitTimeInMs: 100,
          sessionTimeout: 10_000,
          heartbeatInterval: 1_000,
        }),
      (consumer) => this.run(consumer),
      logger,
      report,
    );
  }

  /** Resolves once the consumer runs; if Kafka is away it keeps trying in the background. */
  start(): Promise<void> {
    return this.supervised.start();
  }

  private async run(consumer: Consumer): Promise<void> {
    await consumer.subscribe({ topics: [Topics.auditDecisions], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const records: DecisionRecordInput[] = [];
        for (const message of batch.messages) {
          try {
            const value: unknown = message.value ? JSON.parse(message.value.toString('utf8')) : null;
            // A malformed record would fail the batch's transaction again on every redelivery and stall
            // the chain behind it: skip it, loudly.
            if (isDecisionRecord(value)) records.push(value);
            else this.logger.error({ offset: message.offset }, 'malformed decision record skipped');
          } catch (error) {
            this.logger.error({ err: error, offset: message.offset }, 'unreadable decision record skipped');
          }
        }
        await this.prisma.$transaction(async (tx) => {
          const ids = records.map((r) => r.decisionId);
          const seen = new Set(
            (await tx.auditEntry.findMany({ where: { id: { in: ids } }, select: { id: true } })).map(
              (e) => e.id,
            ),
          );
          const fresh = new Map(records.filter((r) => !seen.has(r.decisionId)).map((r) => [r.decisionId, r]));
          await appendAudit(tx, [...fresh.values()].map(decisionEntry));
        });
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
