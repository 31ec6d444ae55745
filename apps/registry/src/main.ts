import { schemaLimitsFromEnv, systemClock } from '#libs/domain';
import { TokenVerifier } from '#libs/auth';
import { sendRefusalsToKafka, startOutbox, useKafka } from '#libs/kafka';
import { PrismaOutboxStore, useDatabase } from '#libs/persistence';
import { runService } from '#libs/platform';
import { RegistryModule } from './registry.module.js';
import { registryConfigSchema, registryUrl } from './registry.config.js';
import { ClearingHeldGrants } from './contracts/held-grants.js';
import { announceRegistryDeadLetters } from './outbox-dead-letters.js';
import { SchemaWork } from './contracts/schema-work.js';
import { describeRegistry } from './registry.description.js';

await runService({
  service: describeRegistry,
  config: registryConfigSchema,
  compose: async (runtime) => {
    const { config } = runtime;
    const prisma = useDatabase(runtime);
    const { kafka } = useKafka(runtime, 'renkei-registry');
    const store = new PrismaOutboxStore(prisma, 'registry', announceRegistryDeadLetters);
    const outbox = await startOutbox(runtime, kafka, store, 'registry');
    // SCHEMA_MAX_* override the schema limits (libs/domain/src/schema-limits.ts); a bad value fails the boot.
    const schemaWork = new SchemaWork({
      limits: schemaLimitsFromEnv(),
      budgetMs: config.SCHEMA_CHECK_BUDGET_MS,
      queueWaitMs: config.SCHEMA_CHECK_QUEUE_WAIT_MS,
      threads: config.SCHEMA_CHECK_THREADS,
      maxQueue: config.SCHEMA_CHECK_QUEUE,
    });
    runtime.onClose(() => schemaWork.close());
    sendRefusalsToKafka(runtime, kafka);
    return RegistryModule.register({
      prisma,
      outbox,
      verifier: TokenVerifier.remote(
        `${config.CLEARING_URL}/.well-known/jwks.json`,
        config.TOKEN_ISSUER,
        systemClock,
      ),
      heldGrants: new ClearingHeldGrants(config.CLEARING_URL),
      schemaWork,
      urls: { registry: registryUrl(config), exchange: config.EXCHANGE_PUBLIC_URL },
      health: runtime.health,
    });
  },
});
