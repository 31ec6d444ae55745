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
    private readonly logger: Pick<Logger, 'warn'>,
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
 * Decision records of every stream, sent together: the audit topic gets one produce per interval instead
 * of one per stream and batch. `record` resolves when its records are on Kafka (or failed).
 */
export class BatchedDecisions {
  private pending: DecisionRecordInput[] = [];
  private sending: Promise<void> | undefined;

  constructor(private readonly recorder: DecisionRecorder) {}

  record(records: DecisionRecordInput[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    this.pending.push(...records);
    this.sending ??= new Promise((resolve) => setTimeout(resolve, RECORD_EVERY_MS)).then(() => {
      const batch = this.pending;
      this.pending = [];
      this.sending = undefined;
      return this.recorder.record(batch);
    });
    return this.sending;
  }
}
