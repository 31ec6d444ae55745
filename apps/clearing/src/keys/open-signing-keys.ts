import { parseSigningKeys, TokenIssuer, TokenVerifier } from '@renkei/auth';
import type { KekRing } from '@renkei/crypto';
import type { Clock } from '@renkei/domain';
import type { PrismaClient } from '@renkei/persistence';
import type { ServiceRuntime } from '@renkei/platform';
import { SigningKeyManager } from './signing-key-manager.js';

/** What the key ring reads from clearing's configuration (clearing.config.ts). */
export interface SigningKeyConfig {
  TOKEN_ISSUER: string;
  SIGNING_KEYS?: string | undefined;
  SIGNING_KEY_ROTATE_HOURS: number;
  SIGNING_KEY_PREPUBLISH_S?: number | undefined;
  SIGNING_KEY_CHECK_INTERVAL_MS: number;
  PLATFORM_TOKEN_TTL_S: number;
  DATASET_TOKEN_TTL_S: number;
  DSP_TRANSFER_TOKEN_TTL_S?: number | undefined;
}

/**
 * The token signing-key ring, loaded (or created on the very first start) and rotating, with the issuer
 * and verifier that follow it. Resolves once the ring is loaded: without it no token can be issued, so
 * the service waits for the database here (retrying) instead of listening without keys.
 */
export async function openSigningKeys(
  runtime: ServiceRuntime<SigningKeyConfig>,
  prisma: PrismaClient,
  keks: KekRing,
  clock: Clock,
): Promise<{ signingKeys: SigningKeyManager; issuer: TokenIssuer; verifier: TokenVerifier }> {
  const { config, logger } = runtime;
  const maxTokenTtlMs =
    Math.max(config.PLATFORM_TOKEN_TTL_S, config.DATASET_TOKEN_TTL_S, config.DSP_TRANSFER_TOKEN_TTL_S ?? 0) *
    1000;
  const signingKeys = new SigningKeyManager(
    prisma,
    keks,
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
  await runtime.inBackground('signing-key ring', () =>
    signingKeys.initialize(config.SIGNING_KEYS ? parseSigningKeys(config.SIGNING_KEYS) : null),
  );
  signingKeys.start();
  runtime.onClose(() => signingKeys.stop());
  return {
    signingKeys,
    // Both follow the ring: a promoted key signs (and verifies) without a restart.
    issuer: new TokenIssuer(signingKeys.ring, config.TOKEN_ISSUER, clock),
    // A token signed with a key this replica has not loaded yet (another replica just rotated) reloads the
    // ring once instead of being refused until the next periodic reload.
    verifier: TokenVerifier.local(() => signingKeys.ring.jwks, config.TOKEN_ISSUER, clock, {
      refresh: () => signingKeys.refresh(),
    }),
  };
}
