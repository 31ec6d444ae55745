import { describe, expect, it } from 'vitest';
import { assertUsable, parsePublicKeys, PastedKeyError } from './jwk';

async function pair() {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
  const jwk = await crypto.subtle.exportKey('jwk', keys.privateKey);
  const { d: _d, key_ops: _o, ext: _e, ...pub } = jwk;
  return { priv: { ...jwk, kid: 'k-1' }, pub: { ...pub, kid: 'k-1' } };
}

const reason = (text: string) => {
  try {
    parsePublicKeys(text);
    return undefined;
  } catch (e) {
    return e instanceof PastedKeyError ? e.reason : String(e);
  }
};

describe('a pasted participant key', () => {
  it('takes one public JWK or a JWKS, as ES256 signing keys', async () => {
    const { pub } = await pair();
    const [one] = parsePublicKeys(JSON.stringify(pub));
    expect(one).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'k-1', alg: 'ES256', use: 'sig' });
    expect(parsePublicKeys(JSON.stringify({ keys: [pub] }))).toHaveLength(1);
    await expect(assertUsable([one!])).resolves.toBeUndefined();
  });

  it('refuses a private key before anything is sent', async () => {
    const { priv, pub } = await pair();
    expect(reason(JSON.stringify(priv))).toBe('onboard.key.errors.private');
    expect(reason(JSON.stringify({ keys: [pub, priv] }))).toBe('onboard.key.errors.privateInList');
  });

  it('refuses other curves, missing kids and text that is not a JWK', async () => {
    const { pub } = await pair();
    expect(reason(JSON.stringify({ ...pub, crv: 'P-384' }))).toBe('onboard.key.errors.notEs256');
    expect(reason(JSON.stringify({ ...pub, kid: undefined }))).toBe('onboard.key.errors.kid');
    expect(reason('not json')).toBe('onboard.key.errors.notJson');
    expect(reason('[]')).toBe('onboard.key.errors.notJwk');
  });

  it('finds a point that is not on the curve', async () => {
    const { pub } = await pair();
    const [bad] = parsePublicKeys(JSON.stringify({ ...pub, x: pub.y }));
    await expect(assertUsable([bad!])).rejects.toMatchObject({ reason: 'onboard.key.errors.notOnCurve' });
  });
});
