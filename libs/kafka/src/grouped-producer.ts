import type { Logger } from 'pino';
import type { Message, Producer, RecordMetadata } from 'kafkajs';
import { Topics, unavailable } from '@renkei/domain';
import { withDeadline } from '@renkei/platform';

/** One publish request's share of a produce request: its data events (partition chosen) and its decision record. */
export interface Publication {
  topic: string;
  /** In order; each message carries the partition its key maps to (the caller asked the partitioner). */
  messages: (Message & { key: string; value: string; partition: number })[];
  /** Goes to the audit topic in the same produce request: the publication and its record land together. */
  audit: Message & { value: string };
}

/** Where a publication's events landed: Kafka's offset of its first event, per partition written. */
export type Placement = { partition: number; baseOffset: string }[];

/**
 * A produce request combines the publications waiting while the previous one is in flight, up to this many
 * characters of message values: well under Kafka's default 1 MiB record batch limit, even if every value
 * went to the same partition. A bigger publication is sent on its own, as it arrives.
 */
export const MAX_COMBINED_CHARS = 256 * 1024;
/** Publications waiting behind the one in flight, at most: beyond this produce() fails with a 503 at once. */
export const MAX_QUEUED = 64;
/** ...and at most this many characters of them. */
export const MAX_QUEUED_CHARS = 16 * 1024 * 1024;
/** A produce request unanswered this long fails its publications (503) and frees the queue behind it. */
export const SEND_DEADLINE_MS = 5_000;

export interface GroupedProducerOptions {
  /** Where each publication's `audit` message goes; default: the decisions topic. */
  auditTopic?: string;
  maxCombinedChars?: number;
  maxQueued?: number;
  maxQueuedChars?: number;
  sendDeadlineMs?: number;
}

interface Queued {
  publication: Publication;
  size: number;
  resolve: (placement: Placement) => void;
  reject: (error: unknown) => void;
}

/**
 * Sends publications (acks=all) and resolves each once Kafka has acknowledged all its messages. With an
 * idempotent producer kafkajs has one produce request per broker in flight; publications arriving
 * meanwhile wait, and go together in the next request (group commit) instead of one request each.
 * Each still learns exactly where its own events landed. A failed request fails all its publications,
 * and those waiting behind it: they would fare no better.
 */
export class GroupedProducer {
  private readonly queue: Queued[] = [];
  private queuedChars = 0;
  private sending = false;
  private readonly auditTopic: string;
  private readonly maxCombinedChars: number;
  private readonly maxQueued: number;
  private readonly maxQueuedChars: number;
  private readonly sendDeadlineMs: number;

  constructor(
    private readonly producer: Pick<Producer, 'sendBatch'>,
    private readonly logger: Pick<Logger, 'error'>,
    options: GroupedProducerOptions = {},
  ) {
    this.auditTopic = options.auditTopic ?? Topics.auditDecisions;
    this.maxCombinedChars = options.maxCombinedChars ?? MAX_COMBINED_CHARS;
    this.maxQueued = options.maxQueued ?? MAX_QUEUED;
    this.maxQueuedChars = options.maxQueuedChars ?? MAX_QUEUED_CHARS;
    this.sendDeadlineMs = options.sendDeadlineMs ?? SEND_DEADLINE_MS;
  }

  produce(publication: Publication): Promise<Placement> {
    let size = publication.audit.value.length;
    for (const m of publication.messages) size += m.value.length + m.key.length;
    if (this.queue.length >= this.maxQueued || this.queuedChars + size > this.maxQueuedChars) {
      return Promise.reject(
        unavailable(
          'KAFKA.UNAVAILABLE',
          'The event bus is not keeping up; too many publications are waiting',
          'Retry in a few seconds',
        ),
      );
    }
    return new Promise<Placement>((resolve, reject) => {
      this.queue.push({ publication, size, resolve, reject });
      this.queuedChars += size;
      if (!this.sending) {
        this.drain().catch((error: unknown) => {
          // drain() settles every publication itself; this only guards against an unhandled rejection.
          this.logger.error({ err: error }, 'produce queue failed');
        });
      }
    });
  }

  private take(n: number): Queued[] {
    const taken = this.queue.splice(0, n);
    for (const q of taken) this.queuedChars -= q.size;
    return taken;
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        let size = this.queue[0]!.size;
        let n = 1;
        while (n < this.queue.length && size + this.queue[n]!.size <= this.maxCombinedChars) {
          size += this.queue[n]!.size;
          n++;
        }
        const group = this.take(n);
        try {
          await this.sendCombined(group);
        } catch (error) {
          // Kafka refused (or retried until it gave up): what waits behind would fare no better.
          for (const q of [...group, ...this.take(this.queue.length)]) q.reject(error);
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /** Sends a group in one produce request and settles each of its publications; throws if the send failed. */
  private async sendCombined(group: Queued[]): Promise<void> {
    // One entry per topic (kafkajs keys its request by topic); order within a partition is arrival order.
    const byTopic = new Map<string, Message[]>();
    const add = (topic: string, messages: Message[]) => {
      const list = byTopic.get(topic);
      if (list) for (const m of messages) list.push(m);
      else byTopic.set(topic, [...messages]);
    };
    for (const { publication } of group) {
      add(publication.topic, publication.messages);
      add(this.auditTopic, [publication.audit]);
    }
    const results = await withDeadline(
      this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      }),
      this.sendDeadlineMs,
      'Kafka produce',
    );
    try {
      this.settle(group, results);
    } catch (error) {
      // Settled publications ignore this; the rest learn that their placement is unknown.
      for (const q of group) q.reject(error);
    }
  }

  private settle(group: Queued[], results: RecordMetadata[]): void {
    const base = new Map<string, bigint>();
    for (const r of results) {
      if (r.baseOffset !== undefined) base.set(`${r.topicName}:${r.partition}`, BigInt(r.baseOffset));
    }
    // Offsets within a partition's record batch are consecutive, in the order the messages were given.
    const written = new Map<string, bigint>();
    for (const { publication, resolve } of group) {
      const first = new Map<number, bigint>();
      const counts = new Map<number, bigint>();
      for (const m of publication.messages) {
        const key = `${publication.topic}:${m.partition}`;
        if (!first.has(m.partition)) first.set(m.partition, written.get(key) ?? 0n);
        counts.set(m.partition, (counts.get(m.partition) ?? 0n) + 1n);
      }
      const placement: Placement = [];
      for (const partition of [...first.keys()].sort((a, b) => a - b)) {
        const key = `${publication.topic}:${partition}`;
        const b = base.get(key);
        placement.push({ partition, baseOffset: b === undefined ? '' : String(b + first.get(partition)!) });
        written.set(key, (written.get(key) ?? 0n) + counts.get(partition)!);
      }
      resolve(placement);
    }
  }
}
