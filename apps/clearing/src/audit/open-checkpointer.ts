import type { Clock, PlatformProjection } from '@renkei/domain';
import type { PrismaClient } from '@renkei/persistence';
import type { ServiceRuntime } from '@renkei/platform';
import { AuditCheckpointer, type CheckpointKeys } from './checkpoints.js';

/** What the checkpointer reads from clearing's configuration (clearing.config.ts). */
export interface CheckpointConfig {
  TOKEN_ISSUER: string;
  AUDIT_CHECKPOINT_INTERVAL_MS: number;
}

/**
 * The checkpointer, signing on its timer (AUDIT_CHECKPOINT_INTERVAL_MS) and stopped at shutdown. Every
 * originator with a contract gets each checkpoint in its feed; `newestOnKafka` is the newest checkpoint
 * read back from the anchor topic.
 */
export function openCheckpointer(
  runtime: ServiceRuntime<CheckpointConfig>,
  prisma: PrismaClient,
  keys: CheckpointKeys,
  state: PlatformProjection,
  clock: Clock,
  newestOnKafka: () => string | null,
): AuditCheckpointer {
  const { config, logger } = runtime;
  const checkpoints = new AuditCheckpointer(
    prisma,
    keys,
    config.TOKEN_ISSUER,
    clock,
    logger.child({ component: 'audit-checkpoints' }),
    {
      originators: () => [
        ...new Set(
          [...state.contracts.values()].flatMap((versions) => [...versions.values()].map((c) => c.owner)),
        ),
      ],
      newestOnKafka,
    },
  );
  checkpoints.start(config.AUDIT_CHECKPOINT_INTERVAL_MS);
  runtime.onClose(() => checkpoints.stop());
  return checkpoints;
}
