import { z } from 'zod';
import { systemClock, Topics } from '#libs/domain';
import { TokenVerifier } from '#libs/auth';
import {
  createKafka,
  ensurePlatformTopics,
  KAFKA_PROBE_TIMEOUT_MS,
  KAFKA_PROBE_TIMEOUTS_BEFORE_DOWN,
  kafkaProbe,
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
  loadConfig,
  Readiness,
  routeProcessWarnings,
} from '#libs/platform';
import { RegistryModule } from './registry.module.js';
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
const outbox = new OutboxRelay(kafka, new PrismaOutboxStore(prisma, 'registry'), logger);
await outbox.start();
const verifier = TokenVerifier.remote(
  `${config.CLEARING_URL}/.well-known/jwks.json`,
  config.TOKEN_ISSUER,
  systemClock,
);

const app = await createHttpApp(
  RegistryModule.register({
    prisma,
    outbox,
    verifier,
    urls: {
      registry: config.PUBLIC_URL ?? `http://${localHost(config.HOST)}:${config.PORT}`,
      exchange: config.EXCHANGE_PUBLIC_URL,
    },
    health: () => Promise.resolve(healthOf(readiness)),
  }),
  describeRegistry,
  logger,
);
app.useGlobalInterceptors(new DependencyDeadlineInterceptor(readiness));
await listenAndServe(app, {
  host: config.HOST,
  port: config.PORT,
  logger,
  onClose: async () => {
    readiness.stop();
    await Promise.allSettled([outbox.stop(), kafkaReady.stop()]);
    await prisma.$disconnect();
  },
});
