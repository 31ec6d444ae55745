import type { JSONWebKeySet } from 'jose';
import { z } from 'zod';
import { baseConfigSchema } from '@renkei/platform';
import type { ClearingSettings } from './core/clearing-settings.js';

const KEK_MESSAGE = '32 random bytes, base64url or base64 (generate with: openssl rand -base64 32)';
const isKek = (s: string) => /^[A-Za-z0-9+/_-]+=*$/.test(s) && Buffer.from(s, 'base64url').length === 32;

/** Clearing's environment; a bad value fails the boot with a clear message (loadConfig). */
export const clearingConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().default(3002).describe('Port the service listens on'),
  PUBLIC_URL: z
    .string()
    .url()
    .default('http://127.0.0.1:3002')
    .describe('Clearing as participants reach it (token audience, DSP callback addresses)'),
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
    .describe('How often each replica reloads the key ring from the database and applies due rotation steps'),
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
    .refine(isKek, KEK_MESSAGE)
    .describe(
      'The current key-encryption key (KEK): wraps data keys and signing keys at rest; its id is derived from it (ADR 0037)',
    ),
  KEY_ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .optional()
    .refine(
      (s) =>
        s === undefined ||
        s
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean)
          .every(isKek),
      `a comma-separated list of KEKs, each ${KEK_MESSAGE}`,
    )
    .describe(
      'Further KEKs (comma-separated) that only unwrap: the previous ones until `npm run kek:rotate` has re-wrapped every key, or the next one while replicas are rolled (docs/operations.md, Rotating keys)',
    ),
  PLATFORM_TOKEN_TTL_S: z.coerce
    .number()
    .int()
    .min(30)
    .max(3600)
    .default(600)
    .describe('Lifetime of a platform token (a participant signed in)'),
  DATASET_TOKEN_TTL_S: z.coerce
    .number()
    .int()
    .min(30)
    .max(3600)
    .default(300)
    .describe('Lifetime of a dataset token (publish or subscribe under one grant)'),
  DSP_TRANSFER_TOKEN_TTL_S: z.coerce
    .number()
    .int()
    .min(30)
    .max(86_400)
    .optional()
    .describe(
      'Lifetime of the token a started DSP transfer carries (DSP has no refresh: a stream ends when it expires); default: the longest of the platform and dataset token TTLs. The exchange refuses it at once when the transfer or its grant ends, whatever its lifetime.',
    ),
  EXCHANGE_PUBLIC_URL: z
    .url()
    .default('http://127.0.0.1:3003')
    .describe("The exchange's public URL: the endpoint of the data addresses DSP transfers start with"),
  GRANT_SWEEP_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(50)
    .max(60_000)
    .default(1000)
    .describe('Longest pause between sweeps that expire grants and flag overdue deletion obligations'),
  DSP_ALLOW_INSECURE_LOOPBACK: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe(
      'Let outgoing DSP calls (callbacks, connector addresses) use plain http on loopback (tests, demo); otherwise https to public addresses only',
    ),
  CONNECTOR_KEY_FILE: z
    .string()
    .optional()
    .describe(
      "A file holding the connector key (PKCS#8 PEM, ES256): signs RFC 7523 assertions at peers' token endpoints",
    ),
  CONNECTOR_KEY: z
    .string()
    .optional()
    .describe('The connector key itself (PKCS#8 PEM, ES256), when no CONNECTOR_KEY_FILE is given'),
  DSP_CALL_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(120_000)
    .default(10_000)
    .describe('Deadline of every outgoing DSP call (callbacks, requests, token requests)'),
  DSP_PARTICIPANT_ID: z
    .string()
    .min(1)
    .max(512)
    .optional()
    .describe(
      "This connector's Dataspace Protocol participant id (the catalog's participantId); default: TOKEN_ISSUER",
    ),
  REGISTRY_PUBLIC_URL: z
    .url()
    .default('http://127.0.0.1:3001')
    .describe(
      'The registry as peers reach it: the DSP catalog links publishers and contract documents there',
    ),
});

export type ClearingConfig = z.output<typeof clearingConfigSchema>;

/** Without these the demo and the tests still run; a production clearing has an admin and an exchange. */
export const clearingRequiredInProduction = ['KEY_ENCRYPTION_KEY', 'ADMIN_JWKS', 'EXCHANGE_JWKS'] as const;

/** What the token endpoints read from configuration. */
export function clearingSettings(config: ClearingConfig): ClearingSettings {
  return {
    assertionAudiences: [config.TOKEN_ISSUER, `${config.PUBLIC_URL}/oauth/token`],
    adminJwks: config.ADMIN_JWKS
      ? (JSON.parse(config.ADMIN_JWKS) as { keys: Record<string, unknown>[] })
      : null,
    platformTokenTtlSeconds: config.PLATFORM_TOKEN_TTL_S,
    datasetTokenTtlSeconds: config.DATASET_TOKEN_TTL_S,
    exchangeUrl: config.EXCHANGE_PUBLIC_URL,
    transferTokenTtlSeconds:
      config.DSP_TRANSFER_TOKEN_TTL_S ?? Math.max(config.PLATFORM_TOKEN_TTL_S, config.DATASET_TOKEN_TTL_S),
  };
}

/** The exchange's public keys, which it signs its calls to the internal data-key endpoints with. */
export function exchangeJwks(config: ClearingConfig): JSONWebKeySet | null {
  return config.EXCHANGE_JWKS ? (JSON.parse(config.EXCHANGE_JWKS) as JSONWebKeySet) : null;
}
