import type { CustomTransportStrategy } from '@nestjs/microservices';
import { BaseRpcContext, Server } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { lastValueFrom } from 'rxjs';
import { PlatformEventSchema, type PlatformEvent } from '@renkei/domain';
import { EventConsumer } from './event-consumer.js';
import type { SupervisedState } from './supervised-consumer.js';

/** Where a platform event came from: `@Ctx() ctx: PlatformEventContext` in a handler. */
export class PlatformEventContext extends BaseRpcContext<[topic: string, offset: string]> {
  getTopic(): string {
    return this.args[0];
  }
  getOffset(): string {
    return this.args[1];
  }
}

/**
 * The control-plane transport (ADR 0021): a Nest custom transport strategy that hands each platform event
 * (registry and clearing topics) to the `@EventPattern(<event type>)` handlers of the app's controllers, so
 * that consumers are declared like HTTP routes:
 *
 *   @EventPattern('grant.changed') grantChanged(@Payload() event: GrantChangedEvent) { ... }
 *
 * It runs on the supervised EventConsumer rather than Nest's ServerKafka, because the projection needs what
 * ServerKafka does not give: every process reads the single-partition topics from the beginning with a
 * throw-away group, a restarted consumer seeks to the last applied offset, and `barrier()` waits until
 * everything appended before the call has been applied. Each message is validated against the platform
 * event schema first (an invalid one is logged, counted and skipped), then its handlers run one event at a
 * time, in topic order, and the event counts as applied only when they have finished: a revocation is in
 * the projection before any barrier behind it resolves. A failing handler is logged and the event skipped,
 * as before; it never stops the consumer.
 *
 * Wiring (hybrid app): `app.connectMicroservice({ strategy: server })`, `await app.startAllMicroservices()`,
 * then `server.start()` once the topics exist. Events wait until Nest has called `listen` (the handlers
 * are registered by then), so nothing is dispatched to an empty handler table.
 */
export class PlatformEventServer extends Server implements CustomTransportStrategy {
  /** Handlers' failures come back to `dispatch` (awaited), instead of being reported by Nest alone. */
  override readonly propagatesEventHandlerErrors = true;
  readonly consumer: EventConsumer<PlatformEvent>;
  private listening!: () => void;
  private readonly listened = new Promise<void>((resolve) => (this.listening = resolve));

  constructor(
    kafka: Kafka,
    topics: string[],
    private readonly log: Logger,
    name: string,
    report?: (state: SupervisedState, reason?: unknown) => void,
  ) {
    super();
    this.consumer = new EventConsumer<PlatformEvent>(
      kafka,
      topics,
      (topic, event, offset) => this.dispatch(topic, event, offset),
      log,
      name,
      report,
      PlatformEventSchema,
    );
  }

  /** Called by Nest (startAllMicroservices) once the handlers are registered. */
  listen(callback: () => void): void {
    this.listening();
    callback();
  }

  /** Called by Nest when the app closes. */
  close(): Promise<void> {
    return this.consumer.stop();
  }

  /** Catches up with the topics (see EventConsumer.start); resolves once the projection is current. */
  async start(): Promise<void> {
    await this.listened;
    await this.consumer.start();
  }

  barrier(maxAgeMs = 0, deadlineMs?: number): Promise<void> {
    return this.consumer.barrier(maxAgeMs, deadlineMs);
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  /** Runs the handlers of one validated event and waits until they are done (their stream completes). */
  async dispatch(topic: string, event: PlatformEvent, offset: string): Promise<void> {
    await this.listened;
    const handler = this.getHandlerByPattern(event.type);
    // A type this service does not follow (e.g. clearing reads no consent events from the registry topic).
    if (!handler) return;
    const result: unknown = await handler(event, new PlatformEventContext([topic, offset]));
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }

  on(): never {
    throw new Error('PlatformEventServer has no events to listen to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}
