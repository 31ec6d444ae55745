import { z } from 'zod';
import { PlatformProjection, systemClock, Topics, type PlatformEvent } from '#libs/domain';
import { TokenVerifier } from '#libs/auth';
import {
  createKafka,
  ensurePlatformTopics,
  EventConsumer,
  KAFKA_PROBE_TIMEOUT_MS,
  KAFKA_PROBE_TIMEOUTS_BEFORE_DOWN,
  kafkaProbe,
  kafkaRefusalSink,
  renewingProducer,
} from '#libs/kafka';
import {
  baseConfigSchema,
  createHttpApp,
  createLogger,
  DependencyDeadlineInterceptor,
  guardProcess,
  healthOf,
  keepTrying,
  listenAndServe,
  refusalRecorder,
  loadConfig,
  Readiness,
  routeProcessWarnings,
} from '#libs/platform';
import { PolicyEngine, readPolicyBundle } from '#libs/policy';
import { ExchangeModule, ExchangeSettings } from './exchange.module.js';
import { ClearingKeysClient } from './protection/clearing-keys.js';
import { FieldProtection } from './protection/field-protection.js';
import { SubscribeService } from './subscribe/subscribe.service.js';
import { describeExchange } from './exchange.description.js';

const config = loadConfig(
  baseConfigSchema.omit({ DATABASE_URL: true }).extend({
    PORT: z.coerce.number().int().default(3003),
    PSEUDONYM_SECRET: z.string().min(32, 'at least 32 characters of secret for keyed pseudonyms'),
    DATA_PARTITIONS: z.coerce.number().int().min(1).max(64).default(3),
    SERVICE_KEY: z
      .string()
      .optional()
      .describe("The exchange's private ES256 JWK: it authenticates to clearing for data keys"),
  }),
);
const logger = createLogger('exchange', config.LOG_LEVEL);
routeProcessWarnings(logger);
guardProcess(logger);
const readiness = new Readiness(logger.child({ component: 'readiness' }));
const clock = systemClock;
const policy = await PolicyEngine.load(await readPolicyBundle(config.POLICY_DIR));
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'renkei-exchange' }, logger);
const state = new PlatformProjection();
const events = new EventConsumer(
  kafka,
  [Topics.registryEvents, Topics.clearingEvents],
  (_t, e) => state.apply(e as PlatformEvent),
  logger,
  'renkei-exchange.platform',
  readiness.component('platform-events'),
);
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
// Listen first; topics, projection and producer come up in the background, in parallel. Until the
// projection has caught up readiness is false and publications get 503 (their barrier cannot pass).
readiness.component('kafka');
const kafkaReady = kafkaProbe(kafka, config.KAFKA_BROKERS, () => Topics.registryEvents);
const projection = readiness.component('projection');
void keepTrying('platform topics', () => ensurePlatformTopics(kafka), logger).then(() => {
  readiness.probe('kafka', kafkaReady.probe, {
    timeoutMs: KAFKA_PROBE_TIMEOUT_MS,
    timeoutsBeforeDown: KAFKA_PROBE_TIMEOUTS_BEFORE_DOWN,
  });
  return events.start().then(() => projection('up'));
});
const producerState = readiness.component('producer');
void keepTrying('producer', () => producer.connect().then(() => producerState('up')), logger);
const protection = config.SERVICE_KEY
  ? new FieldProtection(await ClearingKeysClient.create(config.CLEARING_URL, config.SERVICE_KEY), state)
  : null;
if (!protection) logger.warn('no SERVICE_KEY: contracts that require field encryption cannot be published');
const verifier = TokenVerifier.remote(
  `${config.CLEARING_URL}/.well-known/jwks.json`,
  config.TOKEN_ISSUER,
  clock,
);

const app = await createHttpApp(
  ExchangeModule.register({
    kafka,
    producer,
    state,
    sync: (maxAgeMs) => events.barrier(maxAgeMs),
    policy,
    clock,
    logger,
    settings: new ExchangeSettings(config.DATA_PARTITIONS, config.PSEUDONYM_SECRET),
    protection,
    verifier,
    health: () => Promise.resolve(healthOf(readiness)),
  }),
  describeExchange,
  logger,
);
// Security refusals go to clearing's audit chain (ADR 0018); flushed when the app closes, before the producer.
refusalRecorder(app).useSink(kafkaRefusalSink(producer));
app.useGlobalInterceptors(new DependencyDeadlineInterceptor(readiness));
logger.info({ policyRevision: policy.revision }, 'policy bundle loaded');
await listenAndServe(app, {
  host: config.HOST,
  port: config.PORT,
  logger,
  beforeClose: () => app.get(SubscribeService).closeAll(),
  onClose: async () => {
    readiness.stop();
    await Promise.allSettled([events.stop(), producer.disconnect(), kafkaReady.stop()]);
  },
});
