import { createPrivateKey, sign } from 'node:crypto';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '@renkei/domain';
import { verifyClientAssertion } from './client-assertion.js';
import { generatePrivateJwk, loadSigningKeys, publicPart } from './signing-keys.js';
import { TokenIssuer, TokenVerifier } from './tokens.js';

const clock = new FixedClock(new Date('2026-11-21T09:00:00Z'));
const now = Math.floor(clock.now().getTime() / 1000);
const issuerId = 'urn:renkei:clearing';

/**
 * Signs with the platform's own key and algorithm, so only the `crit` header can make it fail (by hand:
 * jose refuses to sign a header naming an extension it does not know).
 */
function signed(jwk: JWK, claims: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: 'ES256', kid: jwk.kid, ...extra })}.${b64(claims)}`;
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

describe('critical JWS header extensions', () => {
  const tokenClaims = {
    iss: issuerId,
    aud: 'urn:renkei:api',
    sub: 'p1',
    scope: 'x',
    jti: 'j1',
    iat: now,
    exp: now + 300,
  };

  it('verifies a platform token without crit, and refuses the same token with crit as CRIT_UNSUPPORTED', async () => {
    const jwk = await generatePrivateJwk('k1');
    const keys = await loadSigningKeys(JSON.stringify([jwk]));
    const verifier = TokenVerifier.local(new TokenIssuer(keys, issuerId, clock).jwks, issuerId, clock);
    await expect(verifier.verify(signed(jwk, tokenClaims), 'api')).resolves.toMatchObject({
      participantId: 'p1',
    });
    const withCrit = signed(jwk, tokenClaims, { crit: ['x-renkei-extension'], 'x-renkei-extension': 1 });
    await expect(verifier.verify(withCrit, 'api')).rejects.toMatchObject({
      code: 'TOKEN.CRIT_UNSUPPORTED',
      kind: 'unauthenticated',
      message: expect.stringContaining('x-renkei-extension'),
    });
    // A malformed crit is refused the same way, not as a wrong algorithm.
    const malformed = signed(jwk, tokenClaims, { crit: 'b64' });
    await expect(verifier.verify(malformed, 'api')).rejects.toMatchObject({ code: 'TOKEN.CRIT_UNSUPPORTED' });
  });

  it('accepts a client assertion without crit, and refuses one with crit as ASSERTION_CRIT_UNSUPPORTED', async () => {
    const jwk = await generatePrivateJwk('participant-1');
    const jwks = { keys: [publicPart(jwk)] };
    const claims = { iss: 'p1', sub: 'p1', aud: issuerId, jti: 'a1', iat: now, exp: now + 60 };
    await expect(
      verifyClientAssertion(signed(jwk, claims), 'p1', jwks, [issuerId], clock),
    ).resolves.toMatchObject({ jti: 'a1' });
    const withCrit = signed(jwk, { ...claims, jti: 'a2' }, { crit: ['exp'], exp: now + 60 });
    await expect(verifyClientAssertion(withCrit, 'p1', jwks, [issuerId], clock)).rejects.toMatchObject({
      code: 'AUTH.ASSERTION_CRIT_UNSUPPORTED',
    });
  });
});
