import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { z } from 'zod';
import { Topics } from '@renkei/domain';
import {
  decodeMessage,
  ensureTopics,
  rejectMessage,
  singleBrokerTopics,
  type TopicSettings,
} from '@renkei/kafka';

/** A stored position: partition -> next offset, both decimal strings (what `store` writes). */
const StoredPositionsSchema = z.record(z.string().regex(/^\d{1,9}$/), z.string().regex(/^\d{1,19}$/));

/** partition -> the next offset to deliver. */
export type Positions = ReadonlyMap<number, bigint>;

/** Where each grant's delivery stands: the next stream without `?after=` resumes there. */
export abstract class GrantPositions {
  /** The grant's next offsets per partition, or undefined when it was never delivered to. */
  abstract get(grantId: string): Promise<Positions | undefined>;
  /** The events before `next` on `partition` were the last written to the grant's consumer. */
  abstract advance(grantId: string, partition: number, next: bigint): void;
  /** Resolves once every position advanced so far is stored. */
  abstract flush(): Promise<void>;
  abstract close(): Promise<void>;
}

/** How long positions gather before they are written: one small produce for all streams, not one per batch. */
const FLUSH_EVERY_MS = 200;

/**
 * Positions kept on a compacted topic keyed by grant id (the latest value per grant survives), read once
 * when the first stream asks and kept in memory: no consumer group per grant. A position written less than
 * FLUSH_EVERY_MS before a crash is lost, and those events are delivered again (at-least-once), as with a
 * consumer group's commit; clients that must not see an event twice resume from their own positions.
 */
export class KafkaGrantPositions extends GrantPositions {
  private readonly known = new Map<string, Map<number, bigint>>();
  private readonly dirty = new Set<string>();
  private loaded: Promise<void> | undefined;
  private producer: Producer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: Pick<Kafka, 'consumer' | 'admin' | 'producer'>,
    private readonly logger: Pick<Logger, 'warn' | 'error'>,
    private readonly topicSettings: TopicSettings = singleBrokerTopics,
  ) {
    super();
  }

  async get(grantId: string): Promise<Positions | undefined> {
    this.loaded ??= this.load().catch((error: unknown) => {
      this.loaded = undefined;
      throw error;
    });
    await this.loaded;
    return this.known.get(grantId);
  }

  advance(grantId: string, partition: number, next: bigint): void {
    let positions = this.known.get(grantId);
    if (!positions) this.known.set(grantId, (positions = new Map<number, bigint>()));
    // The last position written to the grant's client, even an earlier one after a replay from ?after=
    // (as a consumer group's commit was): one stream per grant writes them in order.
    if (positions.get(partition) === next) return;
    positions.set(partition, next);
    this.dirty.add(grantId);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const grants = [...this.dirty];
    this.dirty.clear();
    if (grants.length === 0) return this.writing;
    const messages = grants.map((grant) => ({
      key: grant,
      value: JSON.stringify(
        Object.fromEntries([...this.known.get(grant)!].map(([p, o]) => [p, o.toString()])),
      ),
    }));
    // Written in order, one send at a time: a later position never lands before an earlier one.
    this.writing = this.writing
      .then(async () => {
        this.producer ??= await this.connectProducer();
        await this.producer.send({ topic: Topics.exchangePositions, acks: -1, messages });
      })
      .catch((error: unknown) => {
        // Not stored: the next stream without ?after= may see these events again (at-least-once).
        this.logger.warn({ err: error, grants: grants.length }, 'delivery positions not stored');
      });
    return this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
  }

  private async connectProducer(): Promise<Producer> {
    // Its own producer: storing positions never takes a slot of the publish path's produce queue.
    const producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    return producer;
  }

  /** Reads the compacted topic to its end with a throw-away group, deleted afterwards. */
  private async load(): Promise<void> {
    const topic = Topics.exchangePositions;
    await ensureTopics(
      this.kafka as Kafka,
      [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      this.topicSettings,
    );
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      const pending = new Map(
        ends.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]),
      );
      if (pending.size === 0) return;
      const stored = new Map<string, Map<number, bigint>>();
      const groupId = `renkei.exchange.positions.${randomUUID()}`;
      const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 50 });
      await consumer.connect();
      try {
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          consumer.on(consumer.events.CRASH, ({ payload }) => {
            if (!payload.restart) reject(payload.error);
          });
          void consumer.run({
            autoCommit: false,
            eachMessage: ({ partition, message }) => {
              const grant = message.key?.toString('utf8');
              if (grant && message.value) {
                // A value that is not a position is skipped (logged, counted), never retried for ever.
                const decoded = decodeMessage(StoredPositionsSchema, message.value);
                if (decoded.ok) {
                  // The latest value per grant wins (compaction keeps only it, eventually).
                  const entries = Object.entries(decoded.value).map(
                    ([p, o]) => [Number(p), BigInt(o)] as const,
                  );
                  stored.set(grant, new Map(entries));
                } else {
                  rejectMessage(
                    this.logger,
                    'exchange.positions',
                    { topic, partition, offset: message.offset },
                    decoded,
                  );
                }
              }
              if (BigInt(message.offset) + 1n >= (pending.get(partition) ?? 0n)) pending.delete(partition);
              if (pending.size === 0) resolve();
              return Promise.resolve();
            },
          });
        });
        for (const [grant, positions] of stored) if (!this.known.has(grant)) this.known.set(grant, positions);
      } finally {
        await consumer.disconnect();
        await admin.deleteGroups([groupId]).catch(() => undefined);
      }
    } finally {
      await admin.disconnect();
    }
  }
}
