import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import {
  DEFAULT_PARKING,
  deliverOrPark,
  type OutboxOutcome,
  type OutboxRow,
  type ParkingOptions,
} from './outbox-parking.js';
import { withDeadline } from '@renkei/platform';

/** A send to Kafka is given up on after this long, well inside the outbox transaction's own timeout. */
export const OUTBOX_SEND_DEADLINE_MS = 4_000;

export type { OutboxRow, OutboxOutcome, DeadLetter } from './outbox-parking.js';

/** What the relay needs from the service's database: claim unsent rows, record what became of them, in one transaction. */
export interface OutboxStore {
  /**
   * Runs `work` on the oldest unsent rows, locked. If `work` resolves with an outcome, its sent rows are
   * marked sent, its parked rows moved to the dead-letter table and a failed row's attempt counted; if it
   * resolves with nothing, every row is marked sent.
   */
  withUnsent(limit: number, work: (rows: OutboxRow[]) => Promise<OutboxOutcome | void>): Promise<number>;
}

/** The longest the last drain at shutdown may take. */
const FINAL_DRAIN_MS = 5_000;

/**
 * Transactional outbox relay: state changes are committed together with their event row; the relay then
 * produces the rows to Kafka (idempotent producer, acks=all) and marks them sent. A crash between the two
 * re-sends a row (at-least-once); consumers are idempotent by event id.
 */
export class OutboxRelay {
  private producer: Producer;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | undefined;
  private next: Promise<boolean> | undefined;
  private stopped = false;
  /** Stopping: the last drain is under way and no further tick is scheduled. */
  private final = false;
  private connected: Promise<void> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly store: OutboxStore,
    private readonly logger: Logger,
    private readonly intervalMs = 250,
    parking: Partial<ParkingOptions> = {},
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.parking = { ...DEFAULT_PARKING, service: 'unknown', ...parking };
  }

  private readonly parking: ParkingOptions;
  private readonly deadlined: Pick<Producer, 'sendBatch'> = {
    sendBatch: (batch) =>
      withDeadline(this.producer.sendBatch(batch), OUTBOX_SEND_DEADLINE_MS, 'outbox send'),
  };

  /** Starts relaying; the producer connects on the first drain (and again after a failure), so a broker
   * that is down at start delays events, never the service. */
  start(): Promise<void> {
    this.schedule();
    return Promise.resolve();
  }

  private connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  /**
   * Relays now (after a commit) instead of waiting for the next tick. Resolves once a drain that began
   * after this call has finished, so the caller's rows are on Kafka — true — or, if Kafka refused them,
   * false: the rows stay in the outbox and the relay keeps retrying (the commit itself stands).
   */
  flush(): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (!this.running) {
      this.running = this.drain()
        .then(
          () => true,
          (error: unknown) => {
            this.logger.warn({ err: error }, 'outbox relay failed; rows stay queued and will be retried');
            return false;
          },
        )
        .finally(() => {
          this.running = undefined;
        });
      return this.running;
    }
    // A drain is under way and may have read the outbox before the caller's commit: queue one more.
    this.next ??= this.running.then(() => {
      this.next = undefined;
      // Stopped meanwhile: the producer is going away; the rows stay in the outbox for the next start.
      if (this.stopped) return false;
      return this.flush();
    });
    return this.next;
  }

  /**
   * At shutdown: no more ticks, then one last drain, so rows committed since the last one go out now rather
   * than at the next start (the runtime's deadline bounds it; whatever Kafka refuses stays in the outbox).
   */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.final = true;
    // Bounded: a broker that is away must not take the whole shutdown deadline from the steps after this.
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([
      this.flush().catch(() => false),
      new Promise((resolve) => {
        bound = setTimeout(resolve, FINAL_DRAIN_MS);
      }),
    ]);
    clearTimeout(bound);
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await this.next?.catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped || this.final) return;
    this.timer = setTimeout(() => void this.flush().finally(() => this.schedule()), this.intervalMs);
  }

  /**
   * A broker that refused the producer's sequence (after a send whose answer was lost, kafkajs rewinds its
   * sequence numbers) keeps refusing it: the next drain goes out under a new producer id. The rows it
   * resends may already be on Kafka (at-least-once; consumers deduplicate by event id).
   */
  private renewProducer(): void {
    const old = this.producer;
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.connected = undefined;
    this.logger.warn('outbox relay: the producer sequence was refused; continuing with a new producer id');
    void old.disconnect().catch(() => undefined);
  }

  private async drain(): Promise<void> {
    await this.connect();
    for (;;) {
      let failed: OutboxOutcome['failed'];
      const count = await this.store.withUnsent(500, async (rows) => {
        // Poison messages are parked, not retried forever (outbox-parking.ts). A send unanswered in time
        // leaves its rows unsent and uncounted (a deadline is the broker's fault, not the row's).
        const outcome = await deliverOrPark(this.deadlined, rows, this.parking, this.logger);
        failed = outcome.failed;
        return outcome;
      });
      if (failed?.producerState) this.renewProducer();
      if (failed) throw new Error(`outbox row ${failed.id} not delivered: ${failed.error}`);
      if (count < 500) return;
    }
  }
}
