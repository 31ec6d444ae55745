import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { Topics, type DecisionRecordInput } from '#libs/domain';
import type { PrismaClient } from '#libs/persistence';
import { appendAudit, decisionEntry } from './audit-log.js';

/**
 * Appends the exchange's decision records (publish, subscribe, deliveries) to the audit chain. Offsets are
 * committed only after the batch is durably in PostgreSQL; a redelivered record is skipped by its id.
 */
export class DecisionIngest {
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
  ) {
    this.consumer = kafka.consumer({ groupId: `${Topics.auditDecisions}.clearing`, maxWaitTimeInMs: 100 });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [Topics.auditDecisions], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const records: DecisionRecordInput[] = [];
        for (const message of batch.messages) {
          try {
            if (message.value)
              records.push(JSON.parse(message.value.toString('utf8')) as DecisionRecordInput);
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
          await this.consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
          ]);
        }
        await heartbeat();
      },
    });
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
