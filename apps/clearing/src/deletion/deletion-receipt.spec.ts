import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '@renkei/domain';
import { signDeletionReceipt, type DeletionReceiptInput } from '@renkei/sdk';
import { verifyDeletionReceipt, type ReceiptExpectation } from './deletion-receipt.js';

const now = new Date('2026-12-03T09:12:30.000Z');
const expected: ReceiptExpectation = {
  obligationId: randomUUID(),
  consumerId: randomUUID(),
  grantId: randomUUID(),
  dataset: 'battery.cfp',
  endedAt: new Date('2026-12-01T08:00:00.000Z'),
};
const input: DeletionReceiptInput = {
  consumer: expected.consumerId,
  obligation: expected.obligationId,
  grant: expected.grantId,
  dataset: expected.dataset,
  method: 'crypto-erase',
  deletedAt: '2026-12-03T09:12:00.000Z',
};

async function privateKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
}
const pub = ({ d: _d, ...rest }: JWK): JWK => rest;
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** The claims a good receipt carries, for hand-made variants. */
function claims(overrides: Record<string, unknown> = {}) {
  return {
    iss: expected.consumerId,
    sub: expected.obligationId,
    grant: expected.grantId,
    dataset: expected.dataset,
    deletedAt: '2026-12-03T09:12:00.000Z',
    method: 'overwrite',
    scope: 'all-copies',
    iat: Math.floor(now.getTime() / 1000) - 10,
    jti: randomUUID(),
    ...overrides,
  };
}

async function sign(
  jwk: JWK,
  payload: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'ES256', typ: 'deletion-receipt+jwt', kid: jwk.kid },
) {
  return new SignJWT(payload)
    .setProtectedHeader(header as { alg: string })
    .sign(await importJWK(jwk, 'ES256'));
}

/** Runs the verification and returns the failed check, or 'ok'. */
async function check(receipt: string, jwks: { keys: JWK[] }, at = now): Promise<string> {
  try {
    await verifyDeletionReceipt(receipt, expected, jwks, at);
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    const e = error as DomainError;
    expect({ code: e.code, kind: e.kind }).toEqual({ code: 'DELETION.RECEIPT_INVALID', kind: 'bad-request' });
    expect(e.hint).toContain('ES256');
    return `${e.details[0]!.check}: ${e.details[0]!.message}`;
  }
}

describe('deletion receipt verification', () => {
  let consumerKey: JWK;
  let rotatedKey: JWK;
  let otherKey: JWK;
  let jwks: { keys: JWK[] };

  beforeAll(async () => {
    consumerKey = await privateKey('chubu-2026-11');
    rotatedKey = await privateKey('chubu-2027-01');
    otherKey = await privateKey('kansai-2026-11');
    jwks = { keys: [pub(consumerKey), pub(rotatedKey)] };
  });

  it('accepts a receipt the consumer signed with its own key (the SDK helper), returning claims and key', async () => {
    const receipt = await signDeletionReceipt(consumerKey, input);
    const verified = await verifyDeletionReceipt(receipt, expected, jwks, now);
    expect(verified.kid).toBe('chubu-2026-11');
    expect(verified.claims).toMatchObject({
      iss: expected.consumerId,
      sub: expected.obligationId,
      grant: expected.grantId,
      dataset: 'battery.cfp',
      deletedAt: '2026-12-03T09:12:00.000Z',
      method: 'crypto-erase',
      scope: 'all-copies',
      jti: expect.any(String),
      iat: expect.any(Number),
    });
  });

  it('accepts any of the consumer’s keys, with or without kid', async () => {
    const noKid = await sign(rotatedKey, claims(), { alg: 'ES256', typ: 'deletion-receipt+jwt' });
    const verified = await verifyDeletionReceipt(noKid, expected, jwks, now);
    expect(verified.kid).toBe('chubu-2027-01');
  });

  it('refuses a receipt signed by another participant’s key', async () => {
    expect(await check(await sign(otherKey, claims()), jwks)).toBe(
      `signature: key 'kansai-2026-11' is not a registered ES256 key of the consumer ${expected.consumerId}`,
    );
    // The same, with the consumer's kid copied into the header, and with no kid at all.
    const forged = await sign(otherKey, claims(), {
      alg: 'ES256',
      typ: 'deletion-receipt+jwt',
      kid: consumerKey.kid,
    });
    expect(await check(forged, jwks)).toBe(
      `signature: it is not signed by a key registered for the consumer ${expected.consumerId}`,
    );
    const anonymous = await sign(otherKey, claims(), { alg: 'ES256', typ: 'deletion-receipt+jwt' });
    expect(await check(anonymous, jwks)).toMatch(/^signature: it is not signed by a key registered/);
  });

  it('refuses a receipt when the consumer has no usable key', async () => {
    expect(await check(await signDeletionReceipt(consumerKey, input), { keys: [] })).toMatch(
      /^signature: key 'chubu-2026-11' is not a registered ES256 key/,
    );
  });

  it('refuses an unsigned (alg none) receipt', async () => {
    const none = `${b64({ alg: 'none', typ: 'deletion-receipt+jwt' })}.${b64(claims())}.`;
    expect(await check(none, jwks)).toBe("alg: it is signed with alg 'none'; only ES256 is accepted");
  });

  it('refuses an HS256 receipt, even one keyed with the consumer’s public key', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(pub(consumerKey)));
    const hs = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', typ: 'deletion-receipt+jwt', kid: consumerKey.kid })
      .sign(secret);
    expect(await check(hs, jwks)).toBe("alg: it is signed with alg 'HS256'; only ES256 is accepted");
  });

  it('refuses another kind of token signed by the consumer (typ)', async () => {
    const assertion = await sign(consumerKey, claims(), { alg: 'ES256', kid: consumerKey.kid });
    expect(await check(assertion, jwks)).toBe(
      "typ: its header typ is 'undefined', expected 'deletion-receipt+jwt'",
    );
  });

  it('refuses a receipt for another obligation (sub), grant, dataset or issuer', async () => {
    const other = randomUUID();
    expect(await check(await sign(consumerKey, claims({ sub: other })), jwks)).toBe(
      `sub: its sub is '${other}', expected the obligation id '${expected.obligationId}'`,
    );
    expect(await check(await sign(consumerKey, claims({ grant: other })), jwks)).toMatch(/^grant: /);
    expect(await check(await sign(consumerKey, claims({ dataset: 'battery.soh' })), jwks)).toMatch(
      /^dataset: /,
    );
    expect(await check(await sign(consumerKey, claims({ iss: other })), jwks)).toBe(
      `iss: its iss is '${other}', expected the consumer '${expected.consumerId}'`,
    );
  });

  it('refuses a deletion in the future, or before the grant ended', async () => {
    const future = await signDeletionReceipt(consumerKey, {
      ...input,
      deletedAt: '2026-12-03T10:00:00.000Z',
    });
    expect(await check(future, jwks)).toBe('deletedAt: deletedAt 2026-12-03T10:00:00.000Z is in the future');
    const early = await signDeletionReceipt(consumerKey, { ...input, deletedAt: '2026-11-30T00:00:00.000Z' });
    expect(await check(early, jwks)).toMatch(
      /^deletedAt: deletedAt 2026-11-30T00:00:00.000Z is before the grant ended/,
    );
    // A few seconds of clock skew are tolerated.
    const skewed = await sign(consumerKey, claims({ deletedAt: '2026-12-03T09:12:33.000Z' }));
    expect(await check(skewed, jwks)).toBe('ok');
  });

  it('refuses missing or malformed claims, naming the claim', async () => {
    const { scope: _s, ...noScope } = claims();
    expect(await check(await sign(consumerKey, noScope), jwks)).toMatch(/^claims: claim 'scope'/);
    expect(await check(await sign(consumerKey, claims({ scope: 'primary-copy' })), jwks)).toMatch(
      /^claims: claim 'scope'/,
    );
    expect(await check(await sign(consumerKey, claims({ method: 'shred-later' })), jwks)).toMatch(
      /^claims: claim 'method'/,
    );
    expect(await check(await sign(consumerKey, claims({ deletedAt: 'yesterday' })), jwks)).toMatch(
      /^claims: claim 'deletedAt'/,
    );
    const { jti: _j, ...noJti } = claims();
    expect(await check(await sign(consumerKey, noJti), jwks)).toMatch(/^claims: claim 'jti'/);
    expect(
      await check(await sign(consumerKey, claims({ iat: Math.floor(now.getTime() / 1000) + 3600 })), jwks),
    ).toBe('iat: iat is in the future');
  });

  it('refuses what is not a compact JWS', async () => {
    expect(await check('not-a-jws', jwks)).toMatch(/^format: /);
    expect(await check('a.b.c', jwks)).toMatch(/^format: /);
  });

  it('refuses a receipt whose signature was tampered with after signing', async () => {
    const receipt = await signDeletionReceipt(consumerKey, input);
    const [h, , s] = receipt.split('.');
    const changed = `${h}.${b64(claims({ method: 'delete' }))}.${s}`;
    expect(await check(changed, jwks)).toMatch(/^signature: it is not signed by a key registered/);
  });
});
