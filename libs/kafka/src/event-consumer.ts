import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { z } from 'zod';
import { withDeadline } from '@renkei/platform';
import { decodeMessage, rejectMessage } from './message-edge.js';
import { SupervisedConsumer, type SupervisedState } from './supervised-consumer.js';

/**
 * A barrier on the request path gives up after this long (the caller answers 503). Generous: it only
 * bounds a hang; while Kafka is known to be down the request deadline answers 503 well before.
 */
export const BARRIER_DEADLINE_MS = 5_000;

/** Any JSON value: what a consumer without a schema takes. */
const anyJson = z.unknown();

/**
 * Reads single-partition platform topics (registry and clearing events) from the beginning into an
 * in-memory projection. Every process reads everything (its own throw-away group, no committed offsets),
 * so a restart or a new replica rebuilds the same state by replay.
 *
 * `barrier()` resolves once every event appended before the call has been applied: the exchange calls it
 * before a delivery, so a revocation acknowledged before an event was published always wins.
 *
 * With a schema, every message is validated at this edge before `apply` sees it (see message-edge.ts): one
 * that does not fit is logged, counted and skipped like one `apply` cannot take, and still counts as
 * applied, so it never holds back the barrier or the messages behind it.
 */
export class EventConsumer<T = unknown> {
  private readonly supervised: SupervisedConsumer;
  private admin: Admin;
  private adminConnected: Promise<void> | undefined;
  /** topic -> next offset to apply */
  private readonly applied = new Map<string, bigint>();
  private readonly waiters: { topic: string; offset: bigint; resolve: () => void }[] = [];
  private pendingBarrier: Promise<void> | undefined;
  private lastBarrierAt = 0;
  private completedBarrierStartedAt = 0;
  // Held without T, so that a consumer of some events can stand where any consumer is expected (barrier).
  private readonly apply: (topic: string, event: unknown, offset: string) => void | Promise<void>;
  private readonly schema: z.ZodType;

  constructor(
    kafka: Kafka,
    private readonly topics: string[],
    apply: (topic: string, event: T, offset: string) => void | Promise<void>,
    private readonly logger: Logger,
    private readonly name: string,
    report?: (state: SupervisedState, reason?: unknown) => void,
    /** Without one, messages are only read as JSON (tests of the consumer's own mechanics). */
    schema?: z.ZodType<T>,
  ) {
    this.apply = apply as (topic: string, event: unknown, offset: string) => void | Promise<void>;
    this.schema = schema ?? anyJson;
    // A fresh throw-away group for every consumer the supervisor creates: it resumes from `applied` by seeking.
    this.supervised = new SupervisedConsumer(
      name,
      () =>
        kafka.consumer({
          groupId: `${name}.${randomUUID()}`,
          maxWaitTimeInMs: 50,
          sessionTimeout: 10_000,
          heartbeatInterval: 1_000,
        }),
      (consumer) => this.run(consumer),
      logger,
      report,
    );
    this.newAdmin = () => kafka.admin();
    this.admin = this.newAdmin();
  }

  private readonly newAdmin: () => Admin;

  /**
   * Resolves when the projection has caught up with everything on the topics at start. If Kafka is not
   * reachable it keeps trying (the supervisor's backoff) and resolves once it is.
   */
  async start(): Promise<void> {
    await this.supervised.start();
    for (;;) {
      try {
        await this.barrier(0, 0);
        return;
      } catch (error) {
        this.logger.warn({ err: error }, 'projection could not catch up yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, 500).unref());
      }
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.supervised.stop(), this.admin.disconnect()]);
  }

  private async run(consumer: Consumer): Promise<void> {
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        if (partition !== 0) throw new Error(`${topic} must have exactly one partition`);
        // A restarted consumer may be handed what was applied already: each event is applied once.
        if (BigInt(message.offset) < (this.applied.get(topic) ?? 0n)) return;
        const decoded = decodeMessage(this.schema, message.value);
        if (!decoded.ok) {
          rejectMessage(this.logger, this.name, { topic, partition, offset: message.offset }, decoded);
        } else {
          try {
            await this.apply(topic, decoded.value, message.offset);
          } catch (error) {
            // An event the projection cannot take must not stop it; it is logged with its position.
            this.logger.error(
              { err: error, topic, offset: message.offset },
              'could not apply platform event',
            );
          }
        }
        this.advance(topic, BigInt(message.offset) + 1n);
      },
    });
    // A replacement consumer goes on where the last one stopped.
    for (const [topic, offset] of this.applied)
      consumer.seek({ topic, partition: 0, offset: offset.toString() });
  }

  /**
   * Waits until everything appended to the topics before this call has been applied. With `maxAgeMs`, a
   * barrier that started at most that long ago and has completed is good enough (no Kafka round trip):
   * the publish path tolerates a few hundred milliseconds, delivery decisions take a fresh one.
   */
  barrier(maxAgeMs = 0, deadlineMs = BARRIER_DEADLINE_MS): Promise<void> {
    const requestedAt = Date.now();
    if (maxAgeMs > 0 && requestedAt - this.completedBarrierStartedAt <= maxAgeMs) return Promise.resolve();
    const bounded = (p: Promise<void>) => (deadlineMs > 0 ? withDeadline(p, deadlineMs, 'Kafka barrier') : p);
    if (this.pendingBarrier && requestedAt <= this.lastBarrierAt) return bounded(this.pendingBarrier);
    this.lastBarrierAt = requestedAt;
    const barrier = this.fetchEnds()
      .then((ends) => Promise.all(ends.map(({ topic, end }) => this.waitFor(topic, end))))
      .then(() => {
        this.completedBarrierStartedAt = Math.max(this.completedBarrierStartedAt, requestedAt);
      });
    const pending = barrier.finally(() => {
      if (this.pendingBarrier === pending) this.pendingBarrier = undefined;
    });
    // Later callers share `pending`; if none comes, its rejection must not go unhandled (that ended the
    // process on a retriable NOT_LEADER_FOR_PARTITION while the broker came back).
    pending.catch(() => undefined);
    this.pendingBarrier = pending;
    return bounded(barrier);
  }

  private async fetchEnds(): Promise<{ topic: string; end: bigint }[]> {
    const admin = this.admin;
    try {
      await (this.adminConnected ??= admin.connect());
      return await Promise.all(
        this.topics.map(async (topic) => {
          const offsets = await admin.fetchTopicOffsets(topic);
          return { topic, end: BigInt(offsets[0]?.high ?? '0') };
        }),
      );
    } catch (error) {
      // kafkajs keeps asking the leader it knows after a request timeout (its metadata is refreshed only
      // when stale): an admin that failed is replaced, and the next barrier starts from fresh metadata
      // (the new leader once the controller has fenced a silent broker).
      if (this.admin === admin) {
        this.admin = this.newAdmin();
        this.adminConnected = undefined;
        void admin.disconnect().catch(() => undefined);
      }
      throw error;
    }
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
