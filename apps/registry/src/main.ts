import { z } from 'zod';
import { schemaLimitsFromEnv, systemClock, Topics } from '#libs/domain';
import { TokenVerifier } from '#libs/auth';
import {
  createKafka,
  ensurePlatformTopics,
  KAFKA_PROBE_TIMEOUT_MS,
  KAFKA_PROBE_TIMEOUTS_BEFORE_DOWN,
  kafkaProbe,
  kafkaRefusalSink,
  OutboxRelay,
} from '#libs/kafka';
import { createPrisma, PrismaOutboxStore } from '#libs/persistence';
import {
  baseConfigSchema,
  createHttpApp,
  createLogger,
  DATABASE_PROBE_TIMEOUT_MS,
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
import { RegistryModule } from './registry.module.js';
import { ClearingHeldGrants } from './contracts/held-grants.js';
import { announceRegistryDeadLetters } from './outbox-dead-letters.js';
import { DEFAULT_SCHEMA_WORK, SchemaWork } from './contracts/schema-work.js';
import { describeRegistry } from './registry.description.js';

const config = loadConfig(
  baseConfigSchema.extend({
    PORT: z.coerce.number().int().default(3001),
    PUBLIC_URL: z
      .url()
      .optional()
      .describe(
        'The registry as other data spaces reach it (default: http://<HOST, or 127.0.0.1 for 0.0.0.0>:<PORT>)',
      ),
    EXCHANGE_PUBLIC_URL: z.url().default('http://127.0.0.1:3003'),
    SCHEMA_CHECK_BUDGET_MS: z.coerce
      .number()
      .int()
      .positive()
      .default(DEFAULT_SCHEMA_WORK.budgetMs)
      .describe(
        'Running time one schema check / compilation / ODCS import may take (docs/security/redos.md)',
      ),
    SCHEMA_CHECK_QUEUE_WAIT_MS: z.coerce.number().int().positive().default(DEFAULT_SCHEMA_WORK.queueWaitMs),
    SCHEMA_CHECK_THREADS: z.coerce.number().int().positive().default(DEFAULT_SCHEMA_WORK.threads),
    SCHEMA_CHECK_QUEUE: z.coerce.number().int().nonnegative().default(DEFAULT_SCHEMA_WORK.maxQueue),
  }),
);
/** A wildcard listen address (0.0.0.0, ::) is not an address anyone can reach: links then use loopback. */
function localHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]' || host === '') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
const logger = createLogger('registry', config.LOG_LEVEL);
routeProcessWarnings(logger);
guardProcess(logger);
const readiness = new Readiness(logger.child({ component: 'readiness' }));
const prisma = createPrisma(config.DATABASE_URL, {
  onError: (error) => logger.warn({ err: error }, 'database connection error'),
});
readiness.probe('database', () => prisma.$queryRaw`SELECT 1`, { timeoutMs: DATABASE_PROBE_TIMEOUT_MS });
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'renkei-registry' }, logger);
// Listen first: topics are created (and the relay connects) whenever the broker is reachable.
const kafkaReady = kafkaProbe(kafka, config.KAFKA_BROKERS, () => Topics.registryEvents);
void keepTrying('platform topics', () => ensurePlatformTopics(kafka), logger).then(() =>
  readiness.probe('kafka', kafkaReady.probe, {
    timeoutMs: KAFKA_PROBE_TIMEOUT_MS,
    timeoutsBeforeDown: KAFKA_PROBE_TIMEOUTS_BEFORE_DOWN,
  }),
);
readiness.component('kafka');
const outbox = new OutboxRelay(
  kafka,
  new PrismaOutboxStore(prisma, 'registry', announceRegistryDeadLetters),
  logger,
  undefined,
  { service: 'registry' },
);
await outbox.start();
const verifier = TokenVerifier.remote(
  `${config.CLEARING_URL}/.well-known/jwks.json`,
  config.TOKEN_ISSUER,
  systemClock,
);

// SCHEMA_MAX_* override the schema limits (libs/domain/src/schema-limits.ts); a bad value fails the boot.
const schemaWork = new SchemaWork({
  limits: schemaLimitsFromEnv(),
  budgetMs: config.SCHEMA_CHECK_BUDGET_MS,
  queueWaitMs: config.SCHEMA_CHECK_QUEUE_WAIT_MS,
  threads: config.SCHEMA_CHECK_THREADS,
  maxQueue: config.SCHEMA_CHECK_QUEUE,
});

const app = await createHttpApp(
  RegistryModule.register({
    prisma,
    outbox,
    verifier,
    heldGrants: new ClearingHeldGrants(config.CLEARING_URL),
    schemaWork,
    urls: {
      registry: config.PUBLIC_URL ?? `http://${localHost(config.HOST)}:${config.PORT}`,
      exchange: config.EXCHANGE_PUBLIC_URL,
    },
    health: () => Promise.resolve(healthOf(readiness)),
  }),
  describeRegistry,
  logger,
);
// Security refusals go to clearing's audit chain (ADR 0018); the producer connects in the background, so a
// broker that is down at start delays refusal records, never the service.
const refusalProducer = kafka.producer({ retry: { retries: 5, maxRetryTime: 10_000 } });
void keepTrying('refusal producer', () => refusalProducer.connect(), logger);
refusalRecorder(app).useSink(kafkaRefusalSink(refusalProducer));
app.useGlobalInterceptors(new DependencyDeadlineInterceptor(readiness));
await listenAndServe(app, {
  host: config.HOST,
  port: config.PORT,
  logger,
  onClose: async () => {
    readiness.stop();
    await Promise.allSettled([outbox.stop(), kafkaReady.stop(), refusalProducer.disconnect()]);
    await schemaWork.close();
    await prisma.$disconnect();
  },
});
