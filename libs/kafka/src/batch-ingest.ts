import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { decodeMessage, rejectMessage } from './message-edge.js';
import { SupervisedConsumer, type SupervisedState } from './supervised-consumer.js';

export interface BatchIngestOptions<T> {
  /** Names the consumer in logs and metrics. */
  name: string;
  topic: string;
  /** One group for every replica: the topic is consumed once, offsets are committed. */
  groupId: string;
  /** Each message is checked against it; the value is stored exactly as sent. */
  schema: z.ZodType<T>;
  /** Larger messages are refused unread. */
  maxBytes?: number;
  /** Stores one batch's valid records durably (idempotent by id: a batch may come again after a crash). */
  store: (records: T[]) => Promise<void>;
}

/**
 * An at-least-once ingest of records other services send (decision records, security refusals): offsets
 * are committed only after `store` has put the batch durably away, and a redelivered record must be
 * skipped by `store` (by its id). A message that does not fit the schema is logged, counted and skipped
 * (message-edge.ts): it would otherwise fail the batch again on every redelivery and stall everything
 * behind it. Supervised: with the database or the broker away the consumer stops and a new one resumes
 * from the committed offsets once they are back, so nothing is skipped and nothing ends the process.
 */
export class BatchIngest<T> {
  private readonly supervised: SupervisedConsumer;

  constructor(
    kafka: Kafka,
    private readonly options: BatchIngestOptions<T>,
    private readonly logger: Logger,
    report?: (state: SupervisedState, reason?: unknown) => void,
  ) {
    this.supervised = new SupervisedConsumer(
      options.name,
      // A short session: after a crash the group is rebalanced to the new process within seconds.
      () =>
        kafka.consumer({
          groupId: options.groupId,
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

  stop(): Promise<void> {
    return this.supervised.stop();
  }

  private async run(consumer: Consumer): Promise<void> {
    const { topic, schema, maxBytes, name } = this.options;
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const records: T[] = [];
        for (const message of batch.messages) {
          const decoded = decodeMessage(schema, message.value, { maxBytes, asSent: true });
          if (decoded.ok) records.push(decoded.value);
          else
            rejectMessage(
              this.logger,
              name,
              { topic: batch.topic, partition: batch.partition, offset: message.offset },
              decoded,
            );
        }
        if (records.length > 0) await this.options.store(records);
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
}
