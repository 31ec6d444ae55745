import { Inject, Injectable } from '@nestjs/common';
import { Kafka, Partitioners, type PartitionMetadata } from 'kafkajs';
import type { Logger } from 'pino';
import { Topics } from '@renkei/domain';
import { ensureTopics, SEND_DEADLINE_MS } from '@renkei/kafka';
import { withDeadline } from '@renkei/platform';
import { ExchangeSettings, LOGGER } from '../platform/platform.module.js';

/** A dataset's data topic, as the publish and delivery paths need it. */
export abstract class DataTopics {
  /** The platform creates a dataset's topics (data and dead letters) the first time it is used. */
  abstract ensure(dataset: string): Promise<void>;
  /**
   * The partition each key of a dataset's data topic goes to, as the producer would choose it, asked
   * ahead of the send. Call after ensure().
   */
  abstract partitioner(dataset: string): Promise<(key: string) => number>;
  /** Each partition of the dataset's data topic with its first and next offset (ensures the topic). */
  abstract offsets(dataset: string): Promise<{ partition: number; low: string; high: string }[]>;
}

/** Like kafkajs's metadata max age: an added partition is picked up within this time. */
const PARTITIONS_MAX_AGE_MS = 300_000;

/** kafkajs's own default partitioner: the one the producer would apply, called here ahead of the send. */
const defaultPartitioner = Partitioners.DefaultPartitioner();

@Injectable()
export class KafkaDataTopics implements DataTopics {
  private readonly topicsReady = new Map<string, Promise<void>>();
  private readonly partitionsOf = new Map<string, { metadata: PartitionMetadata[]; at: number }>();
  private readonly partitionRefresh = new Map<string, Promise<void>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: ExchangeSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  ensure(dataset: string): Promise<void> {
    let ready = this.topicsReady.get(dataset);
    if (!ready) {
      ready = withDeadline(
        ensureTopics(
          this.kafka,
          [
            // Explicit retention (not the broker's default): the CPS twin replays its inputs from the
            // start of their data topics (KAFKA_DATA_RETENTION_MS, forever by default; ADR 0032).
            {
              topic: Topics.data(dataset),
              numPartitions: this.settings.dataPartitions,
              configEntries: [{ name: 'retention.ms', value: String(this.settings.topics.retentionMs.data) }],
            },
            {
              topic: Topics.deadLetter(dataset),
              numPartitions: 1,
              configEntries: [
                { name: 'retention.ms', value: String(this.settings.topics.retentionMs.deadLetters) },
              ],
            },
          ],
          this.settings.topics,
        ),
        SEND_DEADLINE_MS,
        'Kafka topic creation',
      ).catch((error: unknown) => {
        this.topicsReady.delete(dataset);
        throw error;
      });
      this.topicsReady.set(dataset, ready);
    }
    return ready;
  }

  /**
   * kafkajs's DefaultPartitioner (the producer's) asked ahead of the send, so a combined produce request
   * can tell every publication where its events landed.
   */
  async partitioner(dataset: string): Promise<(key: string) => number> {
    const topic = Topics.data(dataset);
    let known = this.partitionsOf.get(topic);
    if (!known) {
      await this.refreshPartitions(topic);
      known = this.partitionsOf.get(topic)!;
    } else if (Date.now() - known.at > PARTITIONS_MAX_AGE_MS) {
      // Refreshed in the background; until then the known partitions stand, as in the producer's metadata.
      this.refreshPartitions(topic).catch((error: unknown) =>
        this.logger.warn({ err: error, topic }, 'could not refresh the partitions of a data topic'),
      );
    }
    const partitionMetadata = known.metadata;
    return (key) => defaultPartitioner({ topic, partitionMetadata, message: { key, value: null } });
  }

  async offsets(dataset: string): Promise<{ partition: number; low: string; high: string }[]> {
    await this.ensure(dataset);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await admin.fetchTopicOffsets(Topics.data(dataset));
    } finally {
      await admin.disconnect();
    }
  }

  private refreshPartitions(topic: string): Promise<void> {
    let pending = this.partitionRefresh.get(topic);
    if (!pending) {
      pending = withDeadline(
        async () => {
          const admin = this.kafka.admin();
          await admin.connect();
          try {
            const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
            const metadata = topics.find((t) => t.name === topic)?.partitions ?? [];
            if (metadata.length === 0) throw new Error(`No partitions known for topic ${topic}`);
            this.partitionsOf.set(topic, {
              metadata: [...metadata].sort((a, b) => a.partitionId - b.partitionId),
              at: Date.now(),
            });
          } finally {
            await admin.disconnect().catch(() => undefined);
          }
        },
        SEND_DEADLINE_MS,
        'Kafka metadata',
      ).finally(() => this.partitionRefresh.delete(topic));
      this.partitionRefresh.set(topic, pending);
    }
    return pending;
  }
}
