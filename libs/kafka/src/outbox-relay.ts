import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { withDeadline } from '#libs/platform';

/** A send to Kafka is given up on after this long, well inside the outbox transaction's own timeout. */
export const OUTBOX_SEND_DEADLINE_MS = 4_000;

export interface OutboxRow {
  id: bigint;
  topic: string;
  key: string;
  value: unknown;
}

/** What the relay needs from the service's database: claim unsent rows, mark them sent, in one transaction. */
export interface OutboxStore {
  /** Runs `work` on the oldest unsent rows, locked; rows are marked sent only if `work` resolves. */
  withUnsent(limit: number, work: (rows: OutboxRow[]) => Promise<void>): Promise<number>;
}

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
  private connected: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly store: OutboxStore,
    private readonly logger: Logger,
    private readonly intervalMs = 250,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  }

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

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await this.next?.catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.flush().finally(() => this.schedule()), this.intervalMs);
  }

  private async drain(): Promise<void> {
    await this.connect();
    for (;;) {
      const count = await this.store.withUnsent(500, async (rows) => {
        const byTopic = new Map<string, { key: string; value: string }[]>();
        for (const row of rows) {
          const list = byTopic.get(row.topic) ?? [];
          list.push({ key: row.key, value: JSON.stringify(row.value) });
          byTopic.set(row.topic, list);
        }
        // Unanswered in time: the rows stay unsent and go again (at-least-once; consumers dedupe by id).
        await withDeadline(
          this.producer.sendBatch({
            acks: -1,
            topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          }),
          OUTBOX_SEND_DEADLINE_MS,
          'outbox send',
        );
      });
      if (count < 500) return;
    }
  }
}
