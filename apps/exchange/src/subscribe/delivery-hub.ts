import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { DecisionRecordInput } from '@renkei/domain';
import type { ProjectionSync } from '@renkei/policy';
import type { DecisionRecorder } from '../decisions/decision-recorder.js';
import { TopicFeed, type FeedReader } from './topic-feed.js';

/**
 * The exchange's open feeds, one per dataset with open streams: a feed is made when the first stream of its
 * dataset opens and stopped (its group deleted) when the last one closes. Also the one admin connection
 * the streams look up topic offsets with, instead of one per stream.
 */
export class DeliveryHub {
  private readonly feeds = new Map<string, TopicFeed>();
  private adminConnected: Promise<Admin> | undefined;
  private readonly lowLookups = new Map<string, Promise<{ partition: number; low: string }[]>>();

  constructor(
    private readonly kafka: Pick<Kafka, 'consumer' | 'admin'>,
    private readonly sync: ProjectionSync,
    private readonly logger: Pick<Logger, 'warn' | 'error'>,
  ) {}

  /** Datasets with a running feed (for tests and health). */
  get datasets(): string[] {
    return [...this.feeds.keys()];
  }

  /** The shared admin client, connected on first use. */
  admin(): Promise<Admin> {
    this.adminConnected ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.adminConnected = undefined;
      throw error;
    });
    return this.adminConnected;
  }

  /**
   * Each partition's first offset, one lookup for the streams that open together (a stream that opens
   * while a lookup is in flight shares it): low offsets only grow, and a stream clamps to them anyway.
   */
  lowOffsets(topic: string): Promise<{ partition: number; low: string }[]> {
    let pending = this.lowLookups.get(topic);
    if (!pending) {
      pending = this.admin()
        .then((admin) => admin.fetchTopicOffsets(topic))
        .finally(() => this.lowLookups.delete(topic));
      this.lowLookups.set(topic, pending);
    }
    return pending;
  }

  /** Starts `reader` on the dataset's feed at `from` (partition -> next offset); resolves once it runs. */
  async join(dataset: string, reader: FeedReader, from: ReadonlyMap<number, bigint>): Promise<TopicFeed> {
    let feed = this.feeds.get(dataset);
    if (!feed || feed.stopped) {
      feed = new TopicFeed(this.kafka, () => this.admin(), this.sync, this.logger, dataset);
      this.feeds.set(dataset, feed);
    }
    try {
      await feed.attach(reader, from);
    } catch (error) {
      await this.leave(feed, reader);
      throw error;
    }
    return feed;
  }

  /** The reader reads no more; the last reader of a feed stops it. */
  async leave(feed: TopicFeed, reader: FeedReader): Promise<void> {
    if (!feed.detach(reader)) return;
    if (this.feeds.get(feed.dataset) === feed) this.feeds.delete(feed.dataset);
    await feed.stop();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.feeds.values()].map((feed) => feed.stop()));
    this.feeds.clear();
    const admin = this.adminConnected;
    this.adminConnected = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }
}

/** How long decision records gather before they are sent: one produce for many streams' batches. */
const RECORD_EVERY_MS = 50;

/**
 * At most this much JSON per produce: Kafka refuses a record batch over `message.max.bytes` (1 MB by
 * default) whole, so thousands of streams opening at once are recorded in several sends, not one refused.
 */
const RECORD_BYTES_PER_SEND = 256 * 1024;

/**
 * Decision records of every stream, sent together: the audit topic gets a few produces per interval
 * instead of one per stream and batch. `record` resolves when its own records are on Kafka, and rejects
 * only when the send that carried them failed.
 */
export class BatchedDecisions {
  private pending: { records: DecisionRecordInput[]; bytes: number; settle: (p: Promise<void>) => void }[] =
    [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly recorder: DecisionRecorder) {}

  record(records: DecisionRecordInput[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const bytes = records.reduce((sum, r) => sum + JSON.stringify(r).length, 0);
    const sent = new Promise<void>((resolve, reject) => {
      this.pending.push({ records, bytes, settle: (p) => void p.then(resolve, reject) });
    });
    this.timer ??= setTimeout(() => this.send(), RECORD_EVERY_MS);
    return sent;
  }

  private send(): void {
    this.timer = undefined;
    const waiting = this.pending;
    this.pending = [];
    // Each caller's records stay in one send; a send is closed when the next caller would overfill it.
    let chunk: typeof waiting = [];
    let size = 0;
    const flush = () => {
      if (chunk.length === 0) return;
      const sending = this.recorder.record(chunk.flatMap((c) => c.records));
      for (const c of chunk) c.settle(sending);
      chunk = [];
      size = 0;
    };
    for (const entry of waiting) {
      if (size > 0 && size + entry.bytes > RECORD_BYTES_PER_SEND) flush();
      chunk.push(entry);
      size += entry.bytes;
    }
    flush();
  }
}
