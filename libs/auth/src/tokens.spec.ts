import { SignJWT, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '@renkei/domain';
import { generatePrivateJwk, loadSigningKeys } from './signing-keys.js';
import { TokenIssuer, TokenVerifier } from './tokens.js';

const clock = new FixedClock(new Date('2026-11-21T09:00:00Z'));
const issuerId = 'urn:renkei:clearing';

async function setup() {
  const keys = await loadSigningKeys(JSON.stringify([await generatePrivateJwk('k1')]));
  const issuer = new TokenIssuer(keys, issuerId, clock);
  return { issuer, verifier: TokenVerifier.local(issuer.jwks, issuerId, clock) };
}

describe('platform tokens', () => {
  it('verifies a token it issued, with subject and scopes', async () => {
    const { issuer, verifier } = await setup();
    const { token } = await issuer.issue({
      subject: 'p1',
      audience: 'exchange',
      scopes: ['subscribe:battery.cfp'],
      ttlSeconds: 300,
      grant: 'g1',
    });
    const principal = await verifier.verify(token, 'exchange');
    expect(principal.participantId).toBe('p1');
    expect([...principal.scopes]).toEqual(['subscribe:battery.cfp']);
    expect(principal.claims.grant).toBe('g1');
  });

  it('refuses a token for another audience', async () => {
    const { issuer, verifier } = await setup();
    const { token } = await issuer.issue({ subject: 'p1', audience: 'api', scopes: ['x'], ttlSeconds: 300 });
    await expect(verifier.verify(token, 'exchange')).rejects.toMatchObject({ code: 'TOKEN.WRONG_AUDIENCE' });
  });

  it('refuses an expired token', async () => {
    const { issuer, verifier } = await setup();
    const { token } = await issuer.issue({ subject: 'p1', audience: 'api', scopes: ['x'], ttlSeconds: 60 });
    clock.advance(120_000);
    await expect(verifier.verify(token, 'api')).rejects.toMatchObject({ code: 'TOKEN.EXPIRED' });
    clock.advance(-120_000);
  });

  it('refuses a token signed by another key with the same kid', async () => {
    const { verifier } = await setup();
    const other = await setup();
    const { token } = await other.issuer.issue({
      subject: 'p1',
      audience: 'api',
      scopes: ['x'],
      ttlSeconds: 60,
    });
    await expect(verifier.verify(token, 'api')).rejects.toMatchObject({ code: 'TOKEN.INVALID_SIGNATURE' });
  });

  it('refuses alg none and HS256 tokens', async () => {
    const { verifier } = await setup();
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = {
      iss: issuerId,
      aud: 'urn:renkei:api',
      sub: 'p1',
      scope: 'x',
      jti: 'j',
      iat: 1795251600,
      exp: 1795251900,
    };
    await expect(verifier.verify(`${b64({ alg: 'none' })}.${b64(claims)}.`, 'api')).rejects.toMatchObject({
      code: expect.stringMatching(/^TOKEN\./),
    });
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .sign(await importJWK({ kty: 'oct', k: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0' }, 'HS256'));
    await expect(verifier.verify(hs, 'api')).rejects.toMatchObject({ code: 'TOKEN.ALG_NOT_ALLOWED' });
  });

  it('publishes only public key material', async () => {
    const { issuer } = await setup();
    expect(issuer.jwks.keys[0]).not.toHaveProperty('d');
  });
});
