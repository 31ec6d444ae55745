import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
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
 * How long a stream's start waits for this replica to have read the positions other replicas wrote; past
 * it the stream starts from what is known here (at worst events are delivered again, never skipped).
 */
const CATCH_UP_MS = 5_000;

/** The header naming the replica that wrote a position: a replica skips its own (it holds newer ones). */
const WRITER_HEADER = 'renkei-writer';

/**
 * Positions kept on a compacted topic keyed by grant id (the latest value per grant survives), no consumer
 * group per grant. Every replica of the exchange tails the topic (its own throw-away group, from the
 * beginning) and keeps what it read in memory; before a stream starts from the stored position, the replica
 * waits until it has read everything on the topic at that moment, so a grant streamed at another replica a
 * moment ago resumes after what that replica delivered (ADR 0036). A position written less than
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
  /** This process, as the writer of the positions it stores. */
  private readonly writer = randomUUID();
  private tail: { consumer: Consumer; admin: Admin; groupId: string } | undefined;
  /** The next offset of the positions topic (one partition) this replica has not read yet. */
  private readTo = 0n;
  private readonly waiters: { offset: bigint; resolve: () => void }[] = [];
  private closed = false;

  constructor(
    private readonly kafka: Pick<Kafka, 'consumer' | 'admin' | 'producer'>,
    private readonly logger: Pick<Logger, 'warn' | 'error'>,
    private readonly topicSettings: TopicSettings = singleBrokerTopics,
  ) {
    super();
  }

  async get(grantId: string): Promise<Positions | undefined> {
    this.loaded ??= this.startTail().catch((error: unknown) => {
      this.loaded = undefined;
      throw error;
    });
    await this.loaded;
    await this.catchUp();
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
      headers: { [WRITER_HEADER]: this.writer },
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
    this.closed = true;
    await this.flush();
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
    await this.stopTail();
  }

  private async connectProducer(): Promise<Producer> {
    // Its own producer: storing positions never takes a slot of the publish path's produce queue.
    const producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    return producer;
  }

  /**
   * Waits (bounded) until this replica has read everything on the topic now: the positions other replicas
   * stored until this moment are known here.
   */
  private async catchUp(): Promise<void> {
    const tail = this.tail;
    if (!tail) return;
    try {
      const end = await this.topicEnd(tail.admin);
      if (this.readTo >= end) return;
      let timer: NodeJS.Timeout | undefined;
      const waiter = { offset: end, resolve: () => undefined as void };
      const reached = new Promise<void>((resolve) => {
        waiter.resolve = resolve;
        this.waiters.push(waiter);
      });
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, CATCH_UP_MS)));
      await Promise.race([reached, late]);
      clearTimeout(timer);
      const at = this.waiters.indexOf(waiter);
      if (at >= 0) {
        this.waiters.splice(at, 1);
        this.logger.warn(
          { readTo: this.readTo.toString(), end: end.toString() },
          "other replicas' delivery positions not read in time; the stream starts from those known here",
        );
      }
    } catch (error) {
      this.logger.warn(
        { err: error },
        'delivery positions topic end not read; using the positions known here',
      );
    }
  }

  /**
   * The positions topic's end offset. Just after another replica created the topic, its partition may not
   * have a leader yet (NOT_LEADER_FOR_PARTITION): asked again a few times, briefly.
   */
  private async topicEnd(admin: Admin): Promise<bigint> {
    for (let attempt = 1; ; attempt++) {
      try {
        const ends = await admin.fetchTopicOffsets(Topics.exchangePositions);
        return BigInt(ends.find((o) => o.partition === 0)?.high ?? '0');
      } catch (error) {
        if (attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  private applied(offset: bigint): void {
    this.readTo = offset + 1n;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.readTo >= this.waiters[i]!.offset) this.waiters.splice(i, 1)[0]!.resolve();
    }
  }

  /**
   * Reads the compacted topic from the beginning with a throw-away group and keeps following it; resolves
   * once everything on it at start has been read. A consumer that crashes for good is dropped: the next
   * stream start reads the topic again with a new one.
   */
  private async startTail(): Promise<void> {
    const topic = Topics.exchangePositions;
    await ensureTopics(
      this.kafka as Kafka,
      [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      this.topicSettings,
    );
    const admin = this.kafka.admin();
    await admin.connect();
    const groupId = `renkei.exchange.positions.${randomUUID()}`;
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 50 });
    const tail = { consumer, admin, groupId };
    try {
      const end = await this.topicEnd(admin);
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      this.readTo = 0n;
      const started = new Promise<void>((resolve, reject) => {
        if (end === 0n) resolve();
        else this.waiters.push({ offset: end, resolve });
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (payload.restart || this.tail !== tail) return;
          this.logger.warn({ err: payload.error }, 'delivery positions reader stopped; it starts again');
          this.tail = undefined;
          this.loaded = undefined;
          void this.stopTail(tail);
          reject(payload.error);
        });
      });
      this.tail = tail;
      await consumer.run({
        autoCommit: false,
        eachMessage: ({ partition, message }) => {
          const grant = message.key?.toString('utf8');
          const writer = message.headers?.[WRITER_HEADER]?.toString();
          // Its own positions this replica holds already (newer ones, maybe); others' replace what it knew.
          if (grant && message.value && writer !== this.writer) {
            // A value that is not a position is skipped (logged, counted), never retried for ever.
            const decoded = decodeMessage(StoredPositionsSchema, message.value);
            if (decoded.ok) {
              const entries = Object.entries(decoded.value).map(([p, o]) => [Number(p), BigInt(o)] as const);
              this.known.set(grant, new Map(entries));
            } else {
              rejectMessage(
                this.logger,
                'exchange.positions',
                { topic, partition, offset: message.offset },
                decoded,
              );
            }
          }
          this.applied(BigInt(message.offset));
          return Promise.resolve();
        },
      });
      await started;
      if (this.closed) await this.stopTail(tail);
    } catch (error) {
      if (this.tail === tail) this.tail = undefined;
      await this.stopTail(tail);
      throw error;
    }
  }

  private async stopTail(tail = this.tail): Promise<void> {
    if (!tail) return;
    if (this.tail === tail) this.tail = undefined;
    await tail.consumer.disconnect().catch(() => undefined);
    await tail.admin.deleteGroups([tail.groupId]).catch(() => undefined);
    await tail.admin.disconnect().catch(() => undefined);
  }
}
