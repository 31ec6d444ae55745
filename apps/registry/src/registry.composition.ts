import type { DynamicModule } from '@nestjs/common';
import { schemaLimitsFromEnv, systemClock } from '@renkei/domain';
import { TokenVerifier } from '@renkei/auth';
import { sendRefusalsToKafka, startOutbox, useKafka } from '@renkei/kafka';
import { PrismaOutboxStore, useDatabase } from '@renkei/persistence';
import type { ServiceRuntime } from '@renkei/platform';
import { RegistryModule } from './registry.module.js';
import { registryUrl, type RegistryConfig } from './registry.config.js';
import { ClearingHeldGrants } from './contracts/held-grants.js';
import { announceRegistryDeadLetters } from './outbox-dead-letters.js';
import { SchemaWork } from './contracts/schema-work.js';

/**
 * The registry as main.ts starts it: its database and Kafka (probed, closed last), the outbox relay, the
 * schema worker pool, and refusals sent to clearing's audit chain.
 */
export async function composeRegistry(runtime: ServiceRuntime<RegistryConfig>): Promise<DynamicModule> {
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
}
