/**
 * The participant's public key as the admin pastes it: one JWK or a JWKS, EC P-256 (ES256) only, public
 * only. A private key (with `d`) is refused before anything is sent: it must never leave the company.
 */
import type { PublicJwk } from './types';

export class PastedKeyError extends Error {
  constructor(
    /** i18n key in namespace admin. */
    readonly reason: string,
    readonly values: Record<string, string | number> = {},
  ) {
    super(reason);
    this.name = 'PastedKeyError';
  }
}

const KID = /^[A-Za-z0-9._:~-]{1,200}$/;

/** Parses and checks pasted key text; throws PastedKeyError saying what is wrong. */
export function parsePublicKeys(text: string): PublicJwk[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PastedKeyError('onboard.key.errors.notJson');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new PastedKeyError('onboard.key.errors.notJwk');
  const object = parsed as Record<string, unknown>;
  const list: unknown[] = Array.isArray(object.keys) ? object.keys : [object];
  if (list.length === 0) throw new PastedKeyError('onboard.key.errors.empty');
  if (list.length > 5) throw new PastedKeyError('onboard.key.errors.tooMany');
  return list.map((k, i) => checkOne(k, i + 1, list.length));
}

function checkOne(value: unknown, n: number, total: number): PublicJwk {
  const at = { n };
  const suffix = total > 1 ? 'InList' : '';
  if (typeof value !== 'object' || value === null) throw new PastedKeyError(`onboard.key.errors.notJwk`);
  const k = value as Record<string, unknown>;
  if ('d' in k) throw new PastedKeyError(`onboard.key.errors.private${suffix}`, at);
  if (k.kty !== 'EC' || k.crv !== 'P-256')
    throw new PastedKeyError(`onboard.key.errors.notEs256${suffix}`, at);
  if (k.alg !== undefined && k.alg !== 'ES256') throw new PastedKeyError('onboard.key.errors.notEs256', at);
  if (typeof k.x !== 'string' || typeof k.y !== 'string')
    throw new PastedKeyError('onboard.key.errors.noPoint', at);
  if (typeof k.kid !== 'string' || !KID.test(k.kid)) throw new PastedKeyError('onboard.key.errors.kid', at);
  if (k.use !== undefined && k.use !== 'sig') throw new PastedKeyError('onboard.key.errors.use', at);
  return { kty: 'EC', crv: 'P-256', x: k.x, y: k.y, kid: k.kid, alg: 'ES256', use: 'sig' };
}

/** Whether WebCrypto accepts each key as a P-256 point (a typo in x or y is caught here). */
export async function assertUsable(keys: PublicJwk[]): Promise<void> {
  for (const [i, k] of keys.entries()) {
    try {
      await crypto.subtle.importKey(
        'jwk',
        { kty: k.kty, crv: k.crv, x: k.x, y: k.y },
        { name: 'ECDSA', namedCurve: 'P-256' },
        false,
        ['verify'],
      );
    } catch {
      throw new PastedKeyError('onboard.key.errors.notOnCurve', { n: i + 1 });
    }
  }
}
