import type { Kafka } from 'kafkajs';
import { Topics } from '@renkei/domain';
import type { KafkaSecurityConfig, ServiceRuntime } from '@renkei/platform';
import { createKafka, ensurePlatformTopics } from './kafka-client.js';
import { kafkaConnection } from './kafka-security.js';
import { topicSettingsFrom, type TopicSettings } from './topic-settings.js';
import {
  BrokerHealth,
  KAFKA_PROBE_TIMEOUT_MS,
  KAFKA_PROBE_TIMEOUTS_BEFORE_DOWN,
  kafkaProbe,
  pinnedSocketFactory,
} from './kafka-probe.js';
import { OutboxRelay, type OutboxStore } from './outbox-relay.js';
import { kafkaRefusalSink } from './refusal-sink.js';

export interface KafkaUse {
  kafka: Kafka;
  /**
   * Resolves once the platform topics exist (retried in the background until the broker answers); from
   * then on the 'kafka' readiness component is probed. Start consumers after it.
   */
  topics: Promise<void>;
  /** How the service creates topics (replication, min.insync.replicas, retention), from its config. */
  topicSettings: TopicSettings;
}

type KafkaConfig = { KAFKA_BROKERS: string[] } & KafkaSecurityConfig &
  Parameters<typeof topicSettingsFrom>[0];

/**
 * A service's Kafka client. The service listens first: readiness has a 'kafka' component (starting) at
 * once, the platform topics are ensured in the background, and only then is Kafka probed (kafkaProbe: up while
 * any broker answers that the registry topic has a leader). The probe's clients are closed at shutdown.
 */
export function useKafka(runtime: ServiceRuntime<KafkaConfig>, clientId: string): KafkaUse {
  const { config, logger, readiness } = runtime;
  // New clients start at a broker that answered the readiness probe (kafkaProbe records who answers).
  const health = new BrokerHealth();
  const connection = kafkaConnection(config);
  const kafka = createKafka(
    {
      brokers: config.KAFKA_BROKERS,
      clientId,
      bootstrapOrder: (b) => health.order(b),
      connection,
    },
    logger,
  );
  const topicSettings = topicSettingsFrom(config);
  // One client per bootstrap broker, each reaching that broker only: no single broker holds the probe.
  const kafkaReady = kafkaProbe(
    (broker) =>
      createKafka(
        { brokers: [broker], clientId, connection, socketFactory: pinnedSocketFactory(broker) },
        logger,
      ),
    config.KAFKA_BROKERS,
    () => Topics.registryEvents,
    health,
  );
  readiness.component('kafka');
  const topics = runtime
    .inBackground('platform topics', () => ensurePlatformTopics(kafka, topicSettings))
    .then(() =>
      readiness.probe('kafka', kafkaReady.probe, {
        timeoutMs: KAFKA_PROBE_TIMEOUT_MS,
        timeoutsBeforeDown: KAFKA_PROBE_TIMEOUTS_BEFORE_DOWN,
      }),
    );
  runtime.onClose(() => kafkaReady.stop());
  return { kafka, topics, topicSettings };
}

/** The service's outbox relay (its producer connects on the first drain), stopped at shutdown. */
export async function startOutbox(
  runtime: ServiceRuntime,
  kafka: Kafka,
  store: OutboxStore,
  service: string,
): Promise<OutboxRelay> {
  const outbox = new OutboxRelay(kafka, store, runtime.logger, undefined, { service });
  await outbox.start();
  runtime.onClose(() => outbox.stop());
  return outbox;
}

/**
 * Security refusals go to clearing's audit chain (ADR 0018) through a producer of their own. It connects
 * in the background, so a broker that is down at start delays refusal records, never the service; it is
 * disconnected at shutdown, after the app (whose close flushes the last records).
 */
export function sendRefusalsToKafka(runtime: ServiceRuntime, kafka: Kafka): void {
  const producer = kafka.producer({ retry: { retries: 5, maxRetryTime: 10_000 } });
  void runtime.inBackground('refusal producer', () => producer.connect());
  runtime.recordRefusalsTo(kafkaRefusalSink(producer));
  runtime.onClose(() => producer.disconnect());
}
