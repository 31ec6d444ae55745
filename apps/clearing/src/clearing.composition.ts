import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Kafka } from 'kafkajs';
import { KekRing } from '@renkei/crypto';
import { AnchoredCheckpointSchema, PlatformProjection, systemClock, Topics } from '@renkei/domain';
import { EventConsumer, PlatformEventServer, startOutbox, useKafka } from '@renkei/kafka';
import { PrismaOutboxStore, useDatabase, type PrismaClient } from '@renkei/persistence';
import type { ServiceRuntime } from '@renkei/platform';
import { PolicyEngine, readPolicyBundle } from '@renkei/policy';
import { checkpointSeq } from './audit/checkpoints.js';
import { appendClearingDeadLetters } from './audit/dead-letters.js';
import { DecisionIngest } from './audit/decision-ingest.js';
import { openCheckpointer } from './audit/open-checkpointer.js';
import { appendRefusals, RefusalIngest } from './audit/refusal-ingest.js';
import { clearingSettings, exchangeJwks, type ClearingConfig } from './clearing.config.js';
import { ClearingModule } from './clearing.module.js';
import { DataKeyStore } from './data-keys/data-key-store.js';
import { DeadlineSweeper } from './deadlines/deadline.sweeper.js';
import { DspCallbacks } from './dsp/core/callbacks.js';
import { TransferDelivery } from './dsp/transfers/transfer-delivery.js';
import { loadConnectorKey } from './dsp/core/dsp-settings.js';
import { openSigningKeys } from './keys/open-signing-keys.js';
import { registerClearingMetrics } from './metrics/clearing-metrics.js';
import { ContractNotifier } from './notifications/contract-notifier.js';

const clock = systemClock;

/**
 * What clearing is made of: the database, the token signing-key ring, the registry projection, Kafka (the
 * outbox and the consumers), the audit checkpointer, and the module built over them. Each is opened through
 * the runtime, which closes them in reverse order at shutdown (ADR 0025, 0026).
 */
export async function composeClearing(runtime: ServiceRuntime<ClearingConfig>): Promise<DynamicModule> {
  const { config, logger } = runtime;
  const policy = await PolicyEngine.load(await readPolicyBundle(config.POLICY_DIR));
  logger.info({ policyRevision: policy.revision }, 'policy bundle loaded');
  const prisma = useDatabase(runtime);
  registerClearingMetrics(prisma);
  const keks = KekRing.fromConfig(config.KEY_ENCRYPTION_KEY, config.KEY_ENCRYPTION_KEY_PREVIOUS);
  logger.info({ kek: keks.current.id, unwrapOnly: keks.ids.slice(1) }, 'key-encryption keys loaded');
  const { signingKeys, issuer, verifier } = await openSigningKeys(runtime, prisma, keks, clock);
  const state = new PlatformProjection();
  const notifier = new ContractNotifier(state, prisma, logger);
  notifier.start();
  runtime.onClose(() => {
    notifier.stop();
    return notifier.idle();
  });
  const { kafka, topics } = useKafka(runtime, 'renkei-clearing');
  const store = new PrismaOutboxStore(prisma, 'clearing', appendClearingDeadLetters);
  const outbox = await startOutbox(runtime, kafka, store, 'clearing');
  const { sync, newestOnKafka } = startConsumers(runtime, kafka, topics, prisma);
  const checkpoints = openCheckpointer(runtime, prisma, signingKeys, state, clock, newestOnKafka);
  // Clearing's own security refusals go straight onto its chain (ADR 0018).
  runtime.recordRefusalsTo((records) => appendRefusals(prisma, records));
  return ClearingModule.register({
    prisma,
    outbox,
    state,
    sync,
    policy,
    issuer,
    verifier,
    clock,
    signingKeys,
    checkpoints,
    settings: clearingSettings(config),
    dataKeys: new DataKeyStore(prisma, keks),
    dsp: {
      publicUrl: config.PUBLIC_URL,
      allowInsecureLoopback: config.DSP_ALLOW_INSECURE_LOOPBACK,
      callTimeoutMs: config.DSP_CALL_TIMEOUT_MS,
      connectorKey: await loadConnectorKey(config),
      participantId: config.DSP_PARTICIPANT_ID ?? config.TOKEN_ISSUER,
      registryUrl: config.REGISTRY_PUBLIC_URL,
    },
    serviceJwks: exchangeJwks(config),
    health: runtime.health,
  });
}

/** Once the app is built: the deadline sweep, which lives in the container, starts. */
export function startClearing(app: NestFastifyApplication, runtime: ServiceRuntime<ClearingConfig>): void {
  // The sweep writes through the outbox: it stops first (close steps run last-added first).
  const sweeper = app.get(DeadlineSweeper);
  sweeper.start({
    intervalMs: runtime.config.GRANT_SWEEP_INTERVAL_MS,
    logger: runtime.logger.child({ component: 'sweeper' }),
  });
  runtime.onClose(() => sweeper.stop());
  // The outbox of outgoing DSP messages: sends after the answers, in order per process (dsp/core/callbacks.ts).
  const callbacks = app.get(DspCallbacks);
  callbacks.start();
  runtime.onClose(() => callbacks.stop());
  // Received data keeps flowing into members' datasets across a restart (dsp/transfers/transfer-delivery.ts).
  const delivery = app.get(TransferDelivery);
  void delivery
    .resume()
    .then((n) => n > 0 && runtime.logger.info({ transfers: n }, 'DSP deliveries resumed'))
    .catch((error: unknown) => runtime.logger.warn({ err: error }, 'DSP deliveries could not resume'));
}

// ---------------------------------------------------------------------------------------------- consumers

/**
 * Clearing's Kafka consumers, all in this one place: the registry projection (and the barrier requests
 * wait on), the audit checkpoints anchored on Kafka, and the ingest of the exchange's decisions and
 * refusals onto the chain. They start once the platform topics exist; readiness stays false until the
 * projection has caught up ('projection').
 */
function startConsumers(
  runtime: ServiceRuntime<ClearingConfig>,
  kafka: Kafka,
  topics: Promise<void>,
  prisma: PrismaClient,
) {
  const { logger, readiness } = runtime;
  const projection = readiness.component('projection');
  // Registry events are validated at the edge and handed to the @EventPattern handlers in platform-events/
  // (ADR 0021), which apply them to the projection and put the registry's dead letters on the audit chain.
  const platformEvents = new PlatformEventServer(
    kafka,
    [Topics.registryEvents],
    logger,
    'renkei-clearing.registry',
    readiness.component('registry-events'),
  );
  // The handlers run once Nest has registered them; until then events wait (never dropped).
  runtime.withApp(async (app) => {
    app.connectMicroservice({ strategy: platformEvents });
    await app.startAllMicroservices();
  });
  // The newest checkpoint read back from Kafka: verify checks the chain against it (anchoring).
  let newestAnchored: string | null = null;
  const anchoredCheckpoints = new EventConsumer(
    kafka,
    [Topics.auditCheckpoints],
    (_t, { jws }) => {
      if (checkpointSeq(jws) > (newestAnchored ? checkpointSeq(newestAnchored) : 0)) newestAnchored = jws;
    },
    logger,
    'renkei-clearing.checkpoints',
    undefined,
    AnchoredCheckpointSchema, // ADR 0021: validated at the edge
  );
  const ingest = new DecisionIngest(kafka, prisma, logger);
  const refusalIngest = new RefusalIngest(kafka, prisma, logger);
  void topics.then(() => {
    void ingest.start();
    void refusalIngest.start();
    void anchoredCheckpoints.start();
    void platformEvents.start().then(() => projection('up'));
  });
  runtime.onClose(() =>
    Promise.allSettled([
      ingest.stop(),
      refusalIngest.stop(),
      platformEvents.stop(),
      anchoredCheckpoints.stop(),
    ]),
  );
  return {
    sync: (maxAgeMs = 0) => platformEvents.barrier(maxAgeMs),
    newestOnKafka: () => newestAnchored,
  };
}
