import type { Kafka } from 'kafkajs';
import { PlatformProjection, Topics } from '@renkei/domain';
import { PlatformEventServer } from '@renkei/kafka';
import type { ServiceRuntime } from '@renkei/platform';
import type { ProjectionSync } from '@renkei/policy';

/** The registry and clearing events as the exchange decides on them, and how to make them current. */
export interface PlatformView {
  state: PlatformProjection;
  sync: ProjectionSync;
}

/**
 * Follows the registry and clearing topics into a projection once the platform topics exist (`topics`);
 * until it has caught up, readiness has 'projection' starting and publications get 503 (their barrier
 * cannot pass). Each event is validated at the edge and handed to the `@EventPattern` handlers in
 * platform-events/ (ADR 0021) through the PlatformEventServer, connected to the app as a microservice.
 * Everything else in the exchange sees only the PlatformView.
 */
export function followPlatformEvents(
  runtime: ServiceRuntime,
  kafka: Kafka,
  topics: Promise<void>,
): PlatformView {
  const state = new PlatformProjection();
  const server = new PlatformEventServer(
    kafka,
    [Topics.registryEvents, Topics.clearingEvents],
    runtime.logger,
    'renkei-exchange.platform',
    runtime.readiness.component('platform-events'),
  );
  // The handlers run once Nest has registered them; until then events wait (never dropped).
  runtime.withApp(async (app) => {
    app.connectMicroservice({ strategy: server });
    await app.startAllMicroservices();
  });
  const projection = runtime.readiness.component('projection');
  void topics.then(() => server.start()).then(() => projection('up'));
  runtime.onClose(() => server.stop());
  return { state, sync: (maxAgeMs) => server.barrier(maxAgeMs) };
}
