import type { PlatformProjection } from '#libs/domain';
import type { TokenIssuer } from '#libs/auth';
import type { PolicyEngine } from '#libs/policy';

export interface ClearingSettings {
  /** Audiences a client assertion may name: the issuer id and the token endpoint URL. */
  assertionAudiences: string[];
  adminJwks: { keys: Record<string, unknown>[] } | null;
  platformTokenTtlSeconds: number;
  datasetTokenTtlSeconds: number;
}

export type { PlatformProjection, TokenIssuer, PolicyEngine };

/** `maxAgeMs`: a barrier that started that recently is good enough. */
export type ProjectionSync = (maxAgeMs?: number) => Promise<void>;

/** The consortium admin's bootstrap identity: its key comes from configuration, not from the registry. */
export const ADMIN_ID = 'consortium-admin';
