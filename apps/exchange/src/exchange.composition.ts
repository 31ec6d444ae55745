import type { DynamicModule } from '@nestjs/common';
import { systemClock } from '@renkei/domain';
import { TokenVerifier } from '@renkei/auth';
import { kafkaRefusalSink, renewingProducer, useKafka } from '@renkei/kafka';
import type { ServiceRuntime } from '@renkei/platform';
import { PolicyEngine, readPolicyBundle } from '@renkei/policy';
import type { ExchangeConfig } from './exchange.config.js';
import { ExchangeModule, ExchangeSettings } from './exchange.module.js';
import { followPlatformEvents } from './platform/platform-events.js';
import { ClearingKeysClient } from './protection/clearing-keys.js';
import { FieldProtection } from './protection/field-protection.js';

/** What the exchange opens at start (closed again at shutdown, in reverse order) and its root module. */
export async function composeExchange(runtime: ServiceRuntime<ExchangeConfig>): Promise<DynamicModule> {
  const { config, logger, readiness } = runtime;
  const clock = systemClock;
  const policy = await PolicyEngine.load(await readPolicyBundle(config.POLICY_DIR));
  logger.info({ policyRevision: policy.revision }, 'policy bundle loaded');
  const { kafka, topics, topicSettings } = useKafka(runtime, 'renkei-exchange');
  const { state, sync } = followPlatformEvents(runtime, kafka, topics);
  // A finite retry: a send Kafka cannot take fails (503) instead of holding the produce queue; kafkajs
  // reconnects by itself on the next send once the broker is back.
  // A failed or stalled send moves on to a new producer id: kafkajs would otherwise reuse its sequence
  // numbers, and Kafka would acknowledge the next batch as a duplicate of one it appended (see
  // renewingProducer): a 202 for events never written.
  const producer = renewingProducer(
    () =>
      kafka.producer({
        idempotent: true,
        maxInFlightRequests: 5,
        retry: { retries: 4, initialRetryTime: 100, maxRetryTime: 1_000 },
      }),
    logger,
    5_000,
  );
  const producerState = readiness.component('producer');
  void runtime.inBackground('producer', () => producer.connect().then(() => producerState('up')));
  runtime.onClose(() => producer.disconnect());
  // Security refusals go to clearing's audit chain (ADR 0018); flushed when the app closes, before the producer.
  runtime.recordRefusalsTo(kafkaRefusalSink(producer));
  const protection = config.SERVICE_KEY
    ? new FieldProtection(await ClearingKeysClient.create(config.CLEARING_URL, config.SERVICE_KEY), state)
    : null;
  if (!protection) logger.warn('no SERVICE_KEY: contracts that require field encryption cannot be published');
  return ExchangeModule.register({
    kafka,
    producer,
    state,
    sync,
    policy,
    clock,
    logger,
    settings: new ExchangeSettings(config.DATA_PARTITIONS, config.PSEUDONYM_SECRET, topicSettings),
    protection,
    verifier: TokenVerifier.remote(
      `${config.CLEARING_URL}/.well-known/jwks.json`,
      config.TOKEN_ISSUER,
      clock,
    ),
    health: runtime.health,
  });
}
