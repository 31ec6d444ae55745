import { z } from 'zod';
import { PlatformProjection, systemClock, Topics, type PlatformEvent } from '#libs/domain';
import { loadSigningKeys, TokenIssuer, TokenVerifier } from '#libs/auth';
import { createKafka, ensurePlatformTopics, EventConsumer, OutboxRelay } from '#libs/kafka';
import { createPrisma, PrismaOutboxStore } from '#libs/persistence';
import {
  baseConfigSchema,
  createHttpApp,
  createLogger,
  listenAndServe,
  loadConfig,
  routeProcessWarnings,
} from '#libs/platform';
import { PolicyEngine, readPolicyBundle } from '#libs/policy';
import { DecisionIngest } from './audit/decision-ingest.js';
import { ClearingModule } from './clearing.module.js';
import { ContractNotifier } from './notifications/contract-notifier.js';
import { describeClearing } from './clearing.description.js';

const config = loadConfig(
  baseConfigSchema.extend({
    PORT: z.coerce.number().int().default(3002),
    PUBLIC_URL: z.string().url().default('http://127.0.0.1:3002'),
    SIGNING_KEYS: z
      .string()
      .min(1, 'a JSON array of private EC P-256 JWKs; the first signs (generate with: npm run keys)'),
    ADMIN_JWKS: z.string().optional().describe("The consortium admin's public JWKS (bootstrap credential)"),
    EXCHANGE_JWKS: z
      .string()
      .optional()
      .describe("The exchange service's public JWKS: it authenticates to clearing for data keys"),
    KEY_ENCRYPTION_KEY: z
      .string()
      .min(43, '32 random bytes, base64url (generate with: openssl rand -base64 32)')
      .describe('Wraps data keys and signing keys at rest'),
    PLATFORM_TOKEN_TTL_S: z.coerce.number().int().min(30).max(3600).default(600),
    DATASET_TOKEN_TTL_S: z.coerce.number().int().min(30).max(3600).default(300),
  }),
);
const logger = createLogger('clearing', config.LOG_LEVEL);
routeProcessWarnings(logger);
const clock = systemClock;
const keys = await loadSigningKeys(config.SIGNING_KEYS);
const issuer = new TokenIssuer(keys, config.TOKEN_ISSUER, clock);
const verifier = TokenVerifier.local(issuer.jwks, config.TOKEN_ISSUER, clock);
const policy = await PolicyEngine.load(await readPolicyBundle(config.POLICY_DIR));
const prisma = createPrisma(config.DATABASE_URL);
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'renkei-clearing' }, logger);
await ensurePlatformTopics(kafka);
const state = new PlatformProjection();
const notifier = new ContractNotifier(state, prisma, logger);
notifier.start();
const registryEvents = new EventConsumer(
  kafka,
  [Topics.registryEvents],
  (_t, e) => state.apply(e as PlatformEvent),
  logger,
  'renkei-clearing.registry',
);
await registryEvents.start();
const outbox = new OutboxRelay(kafka, new PrismaOutboxStore(prisma, 'clearing'), logger);
await outbox.start();
const ingest = new DecisionIngest(kafka, prisma, logger);
await ingest.start();

const app = await createHttpApp(
  ClearingModule.register({
    prisma,
    outbox,
    state,
    sync: (maxAgeMs = 0) => registryEvents.barrier(maxAgeMs),
    policy,
    issuer,
    verifier,
    clock,
    settings: {
      assertionAudiences: [config.TOKEN_ISSUER, `${config.PUBLIC_URL}/oauth/token`],
      adminJwks: config.ADMIN_JWKS
        ? (JSON.parse(config.ADMIN_JWKS) as { keys: Record<string, unknown>[] })
        : null,
      platformTokenTtlSeconds: config.PLATFORM_TOKEN_TTL_S,
      datasetTokenTtlSeconds: config.DATASET_TOKEN_TTL_S,
    },
    health: async () => ({
      database: await prisma.$queryRaw`SELECT 1`.then(
        () => 'up' as const,
        () => 'down' as const,
      ),
    }),
  }),
  describeClearing,
  logger,
);
logger.info({ policyRevision: policy.revision }, 'policy bundle loaded');
await listenAndServe(app, {
  host: config.HOST,
  port: config.PORT,
  logger,
  onClose: async () => {
    await Promise.allSettled([ingest.stop(), registryEvents.stop(), outbox.stop()]);
    notifier.stop();
    await notifier.idle();
    await prisma.$disconnect();
  },
});
