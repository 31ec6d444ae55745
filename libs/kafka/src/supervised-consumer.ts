import type { Consumer } from 'kafkajs';
import type { Logger } from 'pino';

export type SupervisedState = 'starting' | 'up' | 'down';

/**
 * A Kafka consumer that comes back by itself. kafkajs restarts a consumer after a retriable crash, but not
 * after any other (an error thrown by the handler, e.g. the database away; a broker that refused for too
 * long): the consumer then stops for good and nothing notices. Here every crash is reported and, when
 * kafkajs will not restart, a fresh consumer is created and set up again with capped exponential backoff.
 * `setup` subscribes and runs the consumer (and may seek); it is called again for every new consumer.
 */
export class SupervisedConsumer {
  private consumer: Consumer | undefined;
  private stopped = false;
  private restarting: Promise<void> | undefined;
  private delayMs: number;

  constructor(
    private readonly name: string,
    private readonly create: () => Consumer,
    private readonly setup: (consumer: Consumer) => Promise<void>,
    private readonly logger: Logger,
    private readonly report: (state: SupervisedState, reason?: unknown) => void = () => undefined,
    private readonly backoff = { initialMs: 200, maxMs: 5_000 },
  ) {
    this.delayMs = backoff.initialMs;
  }

  get current(): Consumer | undefined {
    return this.consumer;
  }

  /** Starts (or keeps trying to start) the consumer; resolves once it first runs, or when stopped. */
  start(): Promise<void> {
    this.restarting ??= this.loop().finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private async loop(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      const consumer = this.create();
      this.consumer = consumer;
      consumer.on(consumer.events.GROUP_JOIN, () => {
        this.delayMs = this.backoff.initialMs;
        this.report('up');
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (this.stopped || this.consumer !== consumer) return;
        this.report('down', payload.error);
        if (payload.restart) {
          this.logger.warn(
            { err: payload.error, consumer: this.name },
            'consumer crashed; kafkajs restarts it',
          );
          return;
        }
        this.logger.error(
          { err: payload.error, consumer: this.name, retryInMs: this.delayMs },
          'consumer stopped after an error; a new one starts after a pause',
        );
        void this.pause().then(() => this.start());
      });
      try {
        await consumer.connect();
        await this.setup(consumer);
        return;
      } catch (error) {
        this.report('down', error);
        this.logger.warn(
          { err: error, consumer: this.name, attempt, retryInMs: this.delayMs },
          'consumer could not start; retrying',
        );
        await consumer.disconnect().catch(() => undefined);
        await this.pause();
      }
    }
  }

  private async pause(): Promise<void> {
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.backoff.maxMs);
    await new Promise((resolve) => setTimeout(resolve, delay).unref());
  }
}
