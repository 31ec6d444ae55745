import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';

export const PLATFORM_ALG = 'ES256';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** A new ES256 key as a private JWK with kid and alg set (for configuration, scripts and tests). */
export async function generatePrivateJwk(kid: string = randomUUID()): Promise<JWK> {
  const { privateKey } = await generateKeyPair(PLATFORM_ALG, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: PLATFORM_ALG, use: 'sig' };
}

export function publicPart(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return pub;
}

/** Imports one private EC P-256 JWK (with a kid) as a signing key. */
export async function toSigningKey(jwk: JWK, label = 'signing key'): Promise<SigningKey> {
  if (!jwk.kid || !jwk.d || jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
    throw new Error(`${label} must be a private EC P-256 JWK with a kid`);
  }
  return {
    kid: jwk.kid,
    privateKey: (await importJWK({ ...jwk, alg: PLATFORM_ALG }, PLATFORM_ALG)) as CryptoKey,
    publicJwk: { ...publicPart(jwk), alg: PLATFORM_ALG, use: 'sig' },
  };
}

/** SIGNING_KEYS as private JWKs (validated), in configuration order. */
export function parseSigningKeys(json: string): JWK[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('SIGNING_KEYS is not valid JSON: expected an array of private JWKs');
  }
  if (!Array.isArray(parsed) || parsed.length === 0)
    throw new Error('SIGNING_KEYS must be a non-empty JSON array of private JWKs');
  (parsed as JWK[]).forEach((jwk, i) => {
    if (!jwk || !jwk.kid || !jwk.d || jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
      throw new Error(`SIGNING_KEYS[${i}] must be a private EC P-256 JWK with a kid`);
    }
  });
  return parsed as JWK[];
}

/**
 * The platform's signing keys from configuration (a JSON array of private JWKs). The first signs; all are
 * published in the JWKS, so tokens signed by a retiring key stay valid while the new one takes over.
 * (The clearing service imports them into its key ring on first start; see key-ring.ts.)
 */
export async function loadSigningKeys(json: string): Promise<SigningKey[]> {
  const jwks = parseSigningKeys(json);
  return Promise.all(jwks.map((jwk, i) => toSigningKey(jwk, `SIGNING_KEYS[${i}]`)));
}
