import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * Reads single-partition platform topics (registry and clearing events) from the beginning into an
 * in-memory projection. Every process reads everything (its own throw-away group, no committed offsets),
 * so a restart or a new replica rebuilds the same state by replay.
 *
 * `barrier()` resolves once every event appended before the call has been applied: the exchange calls it
 * before a delivery, so a revocation acknowledged before an event was published always wins.
 */
export class EventConsumer {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  /** topic -> next offset to apply */
  private readonly applied = new Map<string, bigint>();
  private readonly waiters: { topic: string; offset: bigint; resolve: () => void }[] = [];
  private pendingBarrier: Promise<void> | undefined;
  private lastBarrierAt = 0;
  private completedBarrierStartedAt = 0;

  constructor(
    kafka: Kafka,
    private readonly topics: string[],
    private readonly apply: (topic: string, event: unknown) => void | Promise<void>,
    private readonly logger: Logger,
    name: string,
  ) {
    this.consumer = kafka.consumer({
      groupId: `${name}.${randomUUID()}`,
      maxWaitTimeInMs: 50,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    this.admin = kafka.admin();
  }

  /** Resolves when the projection has caught up with everything on the topics at start. */
  async start(): Promise<void> {
    await Promise.all([this.consumer.connect(), this.admin.connect()]);
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        if (partition !== 0) throw new Error(`${topic} must have exactly one partition`);
        try {
          if (message.value) await this.apply(topic, JSON.parse(message.value.toString('utf8')));
        } catch (error) {
          // A malformed platform event must not stop the projection; it is logged with its position.
          this.logger.error({ err: error, topic, offset: message.offset }, 'could not apply platform event');
        }
        this.advance(topic, BigInt(message.offset) + 1n);
      },
    });
    await this.barrier();
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.consumer.disconnect(), this.admin.disconnect()]);
  }

  /**
   * Waits until everything appended to the topics before this call has been applied. With `maxAgeMs`, a
   * barrier that started at most that long ago and has completed is good enough (no Kafka round trip):
   * the publish path tolerates a few hundred milliseconds, delivery decisions take a fresh one.
   */
  barrier(maxAgeMs = 0): Promise<void> {
    const requestedAt = Date.now();
    if (maxAgeMs > 0 && requestedAt - this.completedBarrierStartedAt <= maxAgeMs) return Promise.resolve();
    if (this.pendingBarrier && requestedAt <= this.lastBarrierAt) return this.pendingBarrier;
    this.lastBarrierAt = requestedAt;
    const barrier = this.fetchEnds()
      .then((ends) => Promise.all(ends.map(({ topic, end }) => this.waitFor(topic, end))))
      .then(() => {
        this.completedBarrierStartedAt = Math.max(this.completedBarrierStartedAt, requestedAt);
      });
    this.pendingBarrier = barrier.finally(() => {
      if (this.pendingBarrier === barrier) this.pendingBarrier = undefined;
    });
    return barrier;
  }

  private async fetchEnds(): Promise<{ topic: string; end: bigint }[]> {
    return Promise.all(
      this.topics.map(async (topic) => {
        const offsets = await this.admin.fetchTopicOffsets(topic);
        return { topic, end: BigInt(offsets[0]?.high ?? '0') };
      }),
    );
  }

  private waitFor(topic: string, offset: bigint): Promise<void> {
    if ((this.applied.get(topic) ?? 0n) >= offset) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ topic, offset, resolve }));
  }

  private advance(topic: string, next: bigint): void {
    this.applied.set(topic, next);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.topic === topic && next >= w.offset) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}
