import type { JSONWebKeySet } from 'jose';
import { z } from 'zod';
import { parseKeyEncryptionKey } from '#libs/crypto';
import { PlatformProjection, systemClock, Topics, type PlatformEvent } from '#libs/domain';
import { parseSigningKeys, TokenIssuer, TokenVerifier } from '#libs/auth';
import {
  createKafka,
  ensurePlatformTopics,
  EventConsumer,
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
  refusalRecorder,
  loadConfig,
  Readiness,
  routeProcessWarnings,
} from '#libs/platform';
import { PolicyEngine, readPolicyBundle } from '#libs/policy';
import { AuditCheckpointer, checkpointSeq } from './audit/checkpoints.js';
import { DecisionIngest } from './audit/decision-ingest.js';
import { appendRefusals, RefusalIngest } from './audit/refusal-ingest.js';
import { recordAnnouncedDeadLetter, appendClearingDeadLetters } from './audit/dead-letters.js';
import { SigningKeyManager } from './keys/signing-key-manager.js';
import { ClearingModule } from './clearing.module.js';
import { DeadlineSweeper } from './deadlines/deadline.sweeper.js';
import { DataKeyStore } from './data-keys/data-key-store.js';
import { ContractNotifier } from './notifications/contract-notifier.js';
import { describeClearing } from './clearing.description.js';

const config = loadConfig(
  baseConfigSchema.extend({
    PORT: z.coerce.number().int().default(3002),
    PUBLIC_URL: z.string().url().default('http://127.0.0.1:3002'),
    SIGNING_KEYS: z
      .string()
      .min(1, 'a JSON array of private EC P-256 JWKs; the first signs (generate with: npm run keys)')
      .optional()
      .describe(
        'Imported into the signing-key ring on the very first start (the first active); without it a key is generated. Afterwards the ring in the database is authoritative.',
      ),
    SIGNING_KEY_ROTATE_HOURS: z.coerce
      .number()
      .min(0)
      .default(720)
      .describe(
        'A new token signing key is created this long after the active one started signing; 0 = only on request',
      ),
    SIGNING_KEY_PREPUBLISH_S: z.coerce
      .number()
      .int()
      .min(0)
      .optional()
      .describe('How long a new key is in the JWKS before it signs; default: the longest token TTL'),
    SIGNING_KEY_CHECK_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(100)
      .max(60_000)
      .default(5000)
      .describe(
        'How often each replica reloads the key ring from the database and applies due rotation steps',
      ),
    AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(3_600_000)
      .default(5000)
      .describe('How often a signed audit checkpoint is made when the chain has grown; 0 = only on demand'),
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
    GRANT_SWEEP_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(50)
      .max(60_000)
      .default(1000)
      .describe('Longest pause between sweeps that expire grants and flag overdue deletion obligations'),
  }),
);
const logger = createLogger('clearing', config.LOG_LEVEL);
routeProcessWarnings(logger);
guardProcess(logger);
const readiness = new Readiness(logger.child({ component: 'readiness' }));
const clock = systemClock;
const policy = await PolicyEngine.load(await readPolicyBundle(config.POLICY_DIR));
const prisma = createPrisma(config.DATABASE_URL, {
  onError: (error) => logger.warn({ err: error }, 'database connection error'),
});
readiness.probe('database', () => prisma.$queryRaw`SELECT 1`, { timeoutMs: DATABASE_PROBE_TIMEOUT_MS });
const kek = parseKeyEncryptionKey(config.KEY_ENCRYPTION_KEY);
const dataKeys = new DataKeyStore(prisma, kek);
const maxTokenTtlMs = Math.max(config.PLATFORM_TOKEN_TTL_S, config.DATASET_TOKEN_TTL_S) * 1000;
const signingKeys = new SigningKeyManager(
  prisma,
  kek,
  {
    policy: {
      rotateEveryMs: config.SIGNING_KEY_ROTATE_HOURS * 3_600_000,
      prepublishMs: (config.SIGNING_KEY_PREPUBLISH_S ?? maxTokenTtlMs / 1000) * 1000,
      maxTokenTtlMs,
      // Verifiers' clock tolerance (5 s), and replicas still signing with the old key until their next reload.
      graceMs: 2 * config.SIGNING_KEY_CHECK_INTERVAL_MS + 5_000,
    },
    checkIntervalMs: config.SIGNING_KEY_CHECK_INTERVAL_MS,
  },
  clock,
  logger.child({ component: 'signing-keys' }),
);
// The key ring is needed for every token: without the database at start there is nothing to serve yet.
await keepTrying(
  'signing-key ring',
  () => signingKeys.initialize(config.SIGNING_KEYS ? parseSigningKeys(config.SIGNING_KEYS) : null),
  logger,
);
signingKeys.start();
// Both follow the ring: a promoted key signs (and verifies) without a restart.
const issuer = new TokenIssuer(signingKeys.ring, config.TOKEN_ISSUER, clock);
// A token signed with a key this replica has not loaded yet (another replica just rotated) reloads the
// ring once instead of being refused until the next periodic reload.
const verifier = TokenVerifier.local(() => signingKeys.ring.jwks, config.TOKEN_ISSUER, clock, {
  refresh: () => signingKeys.refresh(),
});
const state = new PlatformProjection();
// The newest checkpoint read back from Kafka: verify checks the chain against it (anchoring).
let newestAnchored: string | null = null;
const checkpoints = new AuditCheckpointer(
  prisma,
  signingKeys,
  config.TOKEN_ISSUER,
  clock,
  logger.child({ component: 'audit-checkpoints' }),
  {
    originators: () => [
      ...new Set(
        [...state.contracts.values()].flatMap((versions) => [...versions.values()].map((c) => c.owner)),
      ),
    ],
    newestOnKafka: () => newestAnchored,
  },
);
checkpoints.start(config.AUDIT_CHECKPOINT_INTERVAL_MS);
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'renkei-clearing' }, logger);
const notifier = new ContractNotifier(state, prisma, logger);
notifier.start();
const registryEvents = new EventConsumer(
  kafka,
  [Topics.registryEvents],
  async (_t, e) => {
    state.apply(e as PlatformEvent);
    // The registry's dead letters go on the audit chain (idempotent: the topic is replayed on every boot).
    await recordAnnouncedDeadLetter(prisma, e as PlatformEvent);
  },
  logger,
  'renkei-clearing.registry',
  readiness.component('registry-events'),
);
const anchoredCheckpoints = new EventConsumer(
  kafka,
  [Topics.auditCheckpoints],
  (_t, e) => {
    const jws = (e as { jws?: unknown }).jws;
    if (typeof jws === 'string' && checkpointSeq(jws) > (newestAnchored ? checkpointSeq(newestAnchored) : 0))
      newestAnchored = jws;
  },
  logger,
  'renkei-clearing.checkpoints',
);
const outbox = new OutboxRelay(
  kafka,
  new PrismaOutboxStore(prisma, 'clearing', appendClearingDeadLetters),
  logger,
  undefined,
  { service: 'clearing' },
);
await outbox.start();
const ingest = new DecisionIngest(kafka, prisma, logger);
const refusalIngest = new RefusalIngest(kafka, prisma, logger);
// Listen first; Kafka comes up in the background, all at once. Readiness stays false until the registry
// projection has caught up ('projection') and while the broker does not answer ('kafka').
readiness.component('kafka');
const projection = readiness.component('projection');
const kafkaReady = kafkaProbe(kafka, config.KAFKA_BROKERS, () => Topics.registryEvents);
void keepTrying('platform topics', () => ensurePlatformTopics(kafka), logger).then(() => {
  void ingest.start();
  void refusalIngest.start();
  void anchoredCheckpoints.start();
  readiness.probe('kafka', kafkaReady.probe, {
    timeoutMs: KAFKA_PROBE_TIMEOUT_MS,
    timeoutsBeforeDown: KAFKA_PROBE_TIMEOUTS_BEFORE_DOWN,
  });
  void registryEvents.start().then(() => projection('up'));
});

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
    dataKeys,
    signingKeys,
    checkpoints,
    serviceJwks: config.EXCHANGE_JWKS ? (JSON.parse(config.EXCHANGE_JWKS) as JSONWebKeySet) : null,
    health: () => Promise.resolve(healthOf(readiness)),
  }),
  describeClearing,
  logger,
);
// Clearing's own security refusals go straight onto its chain (ADR 0018).
refusalRecorder(app).useSink((records) => appendRefusals(prisma, records));
app.useGlobalInterceptors(new DependencyDeadlineInterceptor(readiness));
logger.info({ policyRevision: policy.revision }, 'policy bundle loaded');
const sweeper = app.get(DeadlineSweeper);
sweeper.start({ intervalMs: config.GRANT_SWEEP_INTERVAL_MS, logger: logger.child({ component: 'sweeper' }) });
await listenAndServe(app, {
  host: config.HOST,
  port: config.PORT,
  logger,
  onClose: async () => {
    // The sweep writes through the outbox: it stops before the relay does.
    await sweeper.stop();
    await Promise.allSettled([signingKeys.stop(), checkpoints.stop()]);
    readiness.stop();
    await Promise.allSettled([
      ingest.stop(),
      refusalIngest.stop(),
      registryEvents.stop(),
      anchoredCheckpoints.stop(),
      outbox.stop(),
    ]);
    notifier.stop();
    await notifier.idle();
    await prisma.$disconnect();
  },
});
