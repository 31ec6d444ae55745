import type { Kafka } from 'kafkajs';
import { PlatformProjection, Topics, type PlatformEvent } from '#libs/domain';
import { EventConsumer } from '#libs/kafka';
import type { ServiceRuntime } from '#libs/platform';
import type { ProjectionSync } from '#libs/policy';

/** The registry and clearing events as the exchange decides on them, and how to make them current. */
export interface PlatformView {
  state: PlatformProjection;
  sync: ProjectionSync;
}

/**
 * Follows the registry and clearing topics into a projection once the platform topics exist (`topics`);
 * until it has caught up, readiness has 'projection' starting and publications get 503 (their barrier
 * cannot pass). Everything else in the exchange sees only the PlatformView: how events reach the
 * projection can change here alone.
 */
export function followPlatformEvents(
  runtime: ServiceRuntime,
  kafka: Kafka,
  topics: Promise<void>,
): PlatformView {
  const state = new PlatformProjection();
  const events = new EventConsumer(
    kafka,
    [Topics.registryEvents, Topics.clearingEvents],
    (_t, e) => state.apply(e as PlatformEvent),
    runtime.logger,
    'renkei-exchange.platform',
    runtime.readiness.component('platform-events'),
  );
  const projection = runtime.readiness.component('projection');
  void topics.then(() => events.start()).then(() => projection('up'));
  runtime.onClose(() => events.stop());
  return { state, sync: (maxAgeMs) => events.barrier(maxAgeMs) };
}
