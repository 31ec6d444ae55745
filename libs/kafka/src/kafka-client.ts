import {
  Kafka,
  logLevel,
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type ISocketFactory,
  type ITopicConfig,
  type LogEntry,
  type Producer,
  type ProducerConfig,
} from 'kafkajs';
import type { Logger } from 'pino';
import { Topics } from '@renkei/domain';
import { instrumentConsumer, instrumentProducer } from './instrumentation.js';
import type { KafkaConnection } from './kafka-security.js';
import { singleBrokerTopics, type TopicSettings } from './topic-settings.js';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** How sockets are opened; kafkajs's own by default (the readiness probe pins each client to one broker). */
  socketFactory?: ISocketFactory;
  /**
   * Orders the bootstrap list each time a client opens its first connection (kafkajs starts at the
   * first broker): the services put the brokers that answered their readiness probe first.
   */
  bootstrapOrder?: (brokers: string[]) => string[];
  /** TLS and SASL login (kafkaConnection); none reaches a plaintext listener. */
  connection?: KafkaConnection;
}

/**
 * How old a producer's or consumer's cached cluster metadata (which broker leads which partition) may be
 * before its next request asks again; kafkajs's default is 5 minutes. kafkajs refreshes it after a
 * "not leader" answer, but not after a request timeout: a client whose leader stopped answering (a hung
 * broker, a partition) would keep sending to it until the metadata expired. The controller moves the
 * leadership within about its 9 s session timeout; with this the clients follow within seconds more, for
 * one small Metadata request per client every few seconds.
 */
export const METADATA_MAX_AGE_MS = 5_000;

/** kafkajs logs through our pino logger, so credentials never reach stdout unredacted. */
function pinoLogCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const target = level <= logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : 'debug';
      logger[target]({ kafka: extra }, message);
    };
}

/**
 * A Kafka client whose producers and consumers are instrumented (instrumentation.ts): produce and consume
 * latency, consumer lag, and the W3C trace context in the message headers.
 */
class InstrumentedKafka extends Kafka {
  override producer(config?: ProducerConfig): Producer {
    return instrumentProducer(super.producer({ metadataMaxAge: METADATA_MAX_AGE_MS, ...config }));
  }
  override consumer(config: ConsumerConfig): Consumer {
    return instrumentConsumer(
      super.consumer({ metadataMaxAge: METADATA_MAX_AGE_MS, ...config }),
      config.groupId,
    );
  }
}

export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  return new InstrumentedKafka({
    clientId: settings.clientId,
    brokers: settings.bootstrapOrder ? () => settings.bootstrapOrder!(settings.brokers) : settings.brokers,
    ...settings.connection,
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(logger.child({ component: 'kafka' })),
    // Deadlines on every request (see docs/operations.md): a broker that does not answer is given up on in
    // seconds, and a reconnect is retried with capped exponential backoff instead of piling up.
    // A TLS handshake and a SCRAM exchange (4096 PBKDF2 rounds on the broker) take longer on a busy host.
    connectionTimeout: settings.connection?.ssl ? 5_000 : 1_000,
    authenticationTimeout: settings.connection?.sasl ? 5_000 : 1_000,
    requestTimeout: 5_000,
    enforceRequestTimeout: true,
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 8 },
    ...(settings.socketFactory ? { socketFactory: settings.socketFactory } : {}),
  });
}

/**
 * A topic as the settings want it: their replication factor, min.insync.replicas and no unclean leader
 * election (a replica that was not in sync never leads, so an acknowledged write is never given up).
 * The topic's own config entries (retention, compaction) stand.
 */
export function withTopicSettings(topic: ITopicConfig, settings: TopicSettings): ITopicConfig {
  const own = topic.configEntries ?? [];
  const named = new Set(own.map((e) => e.name));
  const defaults = [
    { name: 'min.insync.replicas', value: String(settings.minInsyncReplicas) },
    { name: 'unclean.leader.election.enable', value: 'false' },
  ].filter((e) => !named.has(e.name));
  return { ...topic, replicationFactor: settings.replicationFactor, configEntries: [...own, ...defaults] };
}

const notOurs = new Set(['TOPIC_ALREADY_EXISTS', 'TOPIC_AUTHORIZATION_FAILED']);
/** A createTopics failure in which every topic either exists or is not this principal's to create. */
function onlyNotOurs(error: Error): boolean {
  const errors = (error as Error & { errors?: { type?: string }[] }).errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => notOurs.has(e.type ?? ''));
}

/**
 * The platform creates its own topics (auto-creation is off on the broker), with `settings` (one
 * broker's unless configured). Idempotent; an existing topic is left as it is.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: ITopicConfig[],
  settings: TopicSettings = singleBrokerTopics,
): Promise<void> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic)).map((t) => withTopicSettings(t, settings));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing, waitForLeaders: true }).catch((error: unknown) => {
        // Another replica may have created it between list and create. On a broker with ACLs (ADR 0035) a
        // topic this principal may not create is another service's (or provisioning's) to create, and one it
        // may not describe is missing from listTopics although it exists: both are left alone.
        if (!(error instanceof Error && (/already exists/i.test(error.message) || onlyNotOurs(error))))
          throw error;
      });
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Topic names as topicsFor (libs/domain) gives them. */
type PlatformTopicNames = Pick<
  typeof Topics,
  'registryEvents' | 'clearingEvents' | 'auditDecisions' | 'auditRefusals' | 'auditCheckpoints'
>;

/**
 * The platform's own topics. The event topics have one partition (one total order) and are kept forever:
 * every projection is rebuilt from them. (The exchange creates its own: data, dead-letter, positions.)
 */
export function platformTopics(
  settings: TopicSettings = singleBrokerTopics,
  names: PlatformTopicNames = Topics,
): ITopicConfig[] {
  const forever = [{ name: 'retention.ms', value: '-1' }];
  const audit = [{ name: 'retention.ms', value: String(settings.retentionMs.audit) }];
  return [
    { topic: names.registryEvents, numPartitions: 1, configEntries: forever },
    { topic: names.clearingEvents, numPartitions: 1, configEntries: forever },
    { topic: names.auditDecisions, numPartitions: 3, configEntries: audit },
    { topic: names.auditRefusals, numPartitions: 1, configEntries: audit },
    // Signed audit checkpoints, anchored where the platform's database cannot take them back.
    { topic: names.auditCheckpoints, numPartitions: 1, configEntries: forever },
  ];
}

/**
 * The platform's own topics (platformTopics), created the same way by whichever service starts first. On
 * a secure cluster each service creates only the ones its ACLs allow (ADR 0035).
 */
export function ensurePlatformTopics(
  kafka: Kafka,
  settings: TopicSettings = singleBrokerTopics,
): Promise<void> {
  return ensureTopics(kafka, platformTopics(settings), settings);
}
