import { z } from 'zod';
import { schemaLimitsFromEnv, systemClock } from '#libs/domain';
import { TokenVerifier } from '#libs/auth';
import { createKafka, ensurePlatformTopics, kafkaRefusalSink, OutboxRelay } from '#libs/kafka';
import { createPrisma, PrismaOutboxStore } from '#libs/persistence';
import {
  baseConfigSchema,
  createHttpApp,
  createLogger,
  listenAndServe,
  refusalRecorder,
  loadConfig,
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
const prisma = createPrisma(config.DATABASE_URL);
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'renkei-registry' }, logger);
await ensurePlatformTopics(kafka);
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
    health: async () => ({
      database: await prisma.$queryRaw`SELECT 1`.then(
        () => 'up' as const,
        () => 'down' as const,
      ),
    }),
  }),
  describeRegistry,
  logger,
);
// Security refusals go to clearing's audit chain (ADR 0018).
const refusalProducer = kafka.producer({ retry: { retries: 5, maxRetryTime: 10_000 } });
await refusalProducer.connect();
refusalRecorder(app).useSink(kafkaRefusalSink(refusalProducer));
await listenAndServe(app, {
  host: config.HOST,
  port: config.PORT,
  logger,
  onClose: async () => {
    await outbox.stop();
    await refusalProducer.disconnect();
    await schemaWork.close();
    await prisma.$disconnect();
  },
});
