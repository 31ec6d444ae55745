import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { DataEnvelopeSchema, Topics, type DataEnvelope } from '@renkei/domain';
import { decodeMessage, rejectMessage, traceparentOf } from '@renkei/kafka';
import { tracingEnabled } from '@renkei/platform';
import type { ProjectionSync } from '@renkei/policy';

/** One event of a data topic, decoded once for every stream that reads it. */
export interface FeedMessage {
  offset: bigint;
  /** The broker's timestamp (ms): the publication time when the envelope has none. */
  timestamp: number;
  envelope: DataEnvelope | null;
  /** The W3C trace context the publication carried (tracing on only): delivery continues its trace. */
  traceparent?: string;
}

/** Consecutive events of one partition, as the shared consumer read them. */
export interface FeedBatch {
  partition: number;
  messages: FeedMessage[];
}

/** A stream reading a dataset through its feed. */
export interface FeedReader {
  /**
   * Every batch the feed reads, after the barrier (every platform event appended before the batch was
   * read is applied). Must not block: a reader queues what it keeps and returns at once.
   */
  offer(batch: FeedBatch): void;
  /** The feed stopped for good (Kafka failed and would not restart the consumer). */
  interrupted(): void;
}

/**
 * One shared consumer for one dataset's data topic: every event is fetched and decoded once, the barrier is
 * checked once per batch, and each batch is handed to every open stream of the dataset. Streams keep their
 * own positions; the feed only promises never to be ahead of any of them: a stream that attaches behind
 * the feed rewinds it (the streams already past those events skip them by offset).
 *
 * The consumer group is throw-away (a fresh id per feed, no committed offsets) and deleted when the feed
 * stops, so the broker keeps no group per grant or per stream.
 */
export class TopicFeed {
  private consumer: Consumer | undefined;
  private readonly readers = new Set<FeedReader>();
  /** partition -> the next offset the feed hands out (never ahead of an attached reader's position). */
  private readonly next = new Map<number, bigint>();
  private running: Promise<void> | undefined;
  /** The consumer runs: a seek now takes effect (before, run() seeks to `next` itself). */
  private live = false;
  private stopping: Promise<void> | undefined;
  readonly groupId: string;
  readonly topic: string;

  constructor(
    private readonly kafka: Pick<Kafka, 'consumer'>,
    private readonly admin: () => Promise<Pick<Admin, 'deleteGroups'>>,
    private readonly sync: ProjectionSync,
    private readonly logger: Pick<Logger, 'warn' | 'error'>,
    readonly dataset: string,
  ) {
    this.topic = Topics.data(dataset);
    // Named after its topic, so an operator (and a test) can tell whose group it is.
    this.groupId = `${this.topic}.feed.${randomUUID()}`;
  }

  get size(): number {
    return this.readers.size;
  }

  get stopped(): boolean {
    return this.stopping !== undefined;
  }

  /**
   * Adds a reader whose next events start at `from` (partition -> next offset): the feed is moved back
   * wherever it is ahead of that. Resolves once the consumer runs.
   */
  async attach(reader: FeedReader, from: ReadonlyMap<number, bigint>): Promise<void> {
    this.readers.add(reader);
    for (const [partition, offset] of from) {
      const at = this.next.get(partition);
      if (at !== undefined && at <= offset) continue;
      this.next.set(partition, offset);
      if (this.live) this.seek(partition, offset);
    }
    this.running ??= this.run();
    await this.running;
  }

  /** Removes a reader; the last one out stops the feed (see stop()). */
  detach(reader: FeedReader): boolean {
    this.readers.delete(reader);
    return this.readers.size === 0;
  }

  private seek(partition: number, offset: bigint) {
    try {
      this.consumer!.seek({ topic: this.topic, partition, offset: offset.toString() });
    } catch (error) {
      this.logger.warn({ err: error, topic: this.topic, partition }, 'feed could not seek');
    }
  }

  private async run(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      // One fetch loop per dataset, not per stream. The broker answers a fetch as soon as one event is
      // there, so the wait only bounds the idle polling: it costs no delivery latency.
      maxWaitTimeInMs: 100,
      sessionTimeout: 6_000,
      heartbeatInterval: 1_000,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) for (const reader of [...this.readers]) reader.interrupted();
    });
    // A consumer kafkajs restarted rejoins without committed offsets: it goes on where the feed stood.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const [partition, offset] of this.next) this.seek(partition, offset);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatch: (payload) => this.read(payload) });
    this.live = true;
    for (const [partition, offset] of this.next) this.seek(partition, offset);
  }

  private async read({ batch, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    // The revocation barrier, once for every stream of the dataset: an acknowledged revocation is applied
    // before any of these events is decided.
    await this.sync();
    if (!isRunning() || isStale() || this.stopping) return;
    const traced = tracingEnabled();
    const messages = batch.messages.map((m): FeedMessage => {
      const message: FeedMessage = {
        offset: BigInt(m.offset),
        timestamp: Number(m.timestamp),
        envelope: this.decode(batch.partition, m.offset, m.value),
      };
      if (traced) {
        const traceparent = traceparentOf(m.headers);
        if (traceparent) message.traceparent = traceparent;
      }
      return message;
    });
    const last = messages[messages.length - 1]!.offset;
    const at = this.next.get(batch.partition);
    // A rewind sought while this batch was in flight stands: the feed moves forward only from where it is.
    if (at === undefined || last + 1n > at) this.next.set(batch.partition, last + 1n);
    const feed = { partition: batch.partition, messages };
    for (const reader of this.readers) reader.offer(feed);
  }

  /**
   * A message that is not a data envelope (only the exchange should write here, but any client the broker
   * lets in could) is logged, counted and passed on as a gap (null): every stream moves past it, and it
   * never holds back the events behind it (a parse error thrown here would make kafkajs retry the batch
   * for ever).
   */
  private decode(partition: number, offset: string, value: Buffer | null): DataEnvelope | null {
    if (!value) return null;
    const decoded = decodeMessage(DataEnvelopeSchema, value, { asSent: true });
    if (decoded.ok) return decoded.value;
    rejectMessage(this.logger, 'exchange.feed', { topic: this.topic, partition, offset }, decoded);
    return null;
  }

  /** Disconnects the consumer and deletes its group: nothing is left on the broker. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const consumer = this.consumer;
      if (!consumer) return;
      await this.running?.catch(() => undefined);
      try {
        await consumer.disconnect();
        await (await this.admin()).deleteGroups([this.groupId]);
      } catch (error) {
        // An empty group without offsets is removed by the broker itself; nothing depends on this one.
        this.logger.warn({ err: error, group: this.groupId }, 'feed group not deleted');
      }
    })();
    return this.stopping;
  }
}
