import { describe, expect, it } from 'vitest';
import { FixedClock } from '@renkei/domain';
import {
  KeyRing,
  TokenIssuer,
  TokenVerifier,
  generatePrivateJwk,
  toSigningKey,
  type RingKey,
} from '@renkei/auth';
import { CHECKPOINT_TYP, signCheckpoint, verifyCheckpoint } from './checkpoints.js';
import { csvField } from './audit-export.service.js';

const issuer = 'urn:renkei:clearing';
const now = new Date('2026-11-21T09:00:00Z');
const head = { seq: 128n, hash: 'ab'.repeat(32), entries: 128n };

async function ringKey(kid: string, state: RingKey['state']): Promise<RingKey> {
  const k = await toSigningKey(await generatePrivateJwk(kid));
  return {
    kid,
    state,
    createdAt: now,
    activatedAt: now,
    retiredAt: null,
    publicJwk: k.publicJwk,
    privateKey: k.privateKey,
  };
}

describe('audit checkpoints', () => {
  it('signs {seq, hash, entries, iat, iss} with the active key and verifies it', async () => {
    const ring = new KeyRing([await ringKey('k1', 'active')]);
    const jws = await signCheckpoint(head, ring.current(), issuer, now);
    const [header] = jws.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({
      alg: 'ES256',
      kid: 'k1',
      typ: CHECKPOINT_TYP,
    });
    expect(await verifyCheckpoint(jws, ring.verificationJwks, issuer)).toEqual({
      seq: 128,
      hash: head.hash,
      entries: 128,
      iat: now.getTime() / 1000,
      iss: issuer,
      kid: 'k1',
    });
  });

  it('still verifies a checkpoint after its key has retired and left the token JWKS', async () => {
    const k1 = await ringKey('k1', 'active');
    const ring = new KeyRing([k1]);
    const jws = await signCheckpoint(head, ring.current(), issuer, now);
    ring.replace([{ ...k1, state: 'retired', privateKey: null }, await ringKey('k2', 'active')]);
    expect(ring.jwks.keys.map((k) => k.kid)).toEqual(['k2']);
    await expect(verifyCheckpoint(jws, ring.verificationJwks, issuer)).resolves.toMatchObject({ seq: 128 });
  });

  it('refuses an altered, forged or foreign checkpoint with AUDIT.CHECKPOINT_INVALID', async () => {
    const ring = new KeyRing([await ringKey('k1', 'active')]);
    const jws = await signCheckpoint(head, ring.current(), issuer, now);
    const [h, , sig] = jws.split('.');
    const altered = Buffer.from(
      JSON.stringify({ seq: 200, hash: head.hash, entries: 200, iat: 1, iss: issuer }),
    ).toString('base64url');
    await expect(
      verifyCheckpoint(`${h}.${altered}.${sig}`, ring.verificationJwks, issuer),
    ).rejects.toMatchObject({
      code: 'AUDIT.CHECKPOINT_INVALID',
    });
    const stranger = new KeyRing([await ringKey('k1', 'active')]);
    const forged = await signCheckpoint(head, stranger.current(), issuer, now);
    await expect(verifyCheckpoint(forged, ring.verificationJwks, issuer)).rejects.toMatchObject({
      code: 'AUDIT.CHECKPOINT_INVALID',
    });
    const unknownKid = await signCheckpoint(
      head,
      new KeyRing([await ringKey('k9', 'active')]).current(),
      issuer,
      now,
    );
    await expect(verifyCheckpoint(unknownKid, ring.verificationJwks, issuer)).rejects.toMatchObject({
      code: 'AUDIT.CHECKPOINT_INVALID',
      message: expect.stringContaining('never had'),
    });
    await expect(verifyCheckpoint('not.a.jws', ring.verificationJwks, issuer)).rejects.toMatchObject({
      code: 'AUDIT.CHECKPOINT_INVALID',
    });
  });

  it('never lets an access token pass as a checkpoint, nor a checkpoint as an access token', async () => {
    const clock = new FixedClock(now);
    const ring = new KeyRing([await ringKey('k1', 'active')]);
    const { token } = await new TokenIssuer(ring, issuer, clock).issue({
      subject: 'p1',
      audience: 'api',
      scopes: ['x'],
      ttlSeconds: 60,
    });
    await expect(verifyCheckpoint(token, ring.verificationJwks, issuer)).rejects.toMatchObject({
      code: 'AUDIT.CHECKPOINT_INVALID',
    });
    const jws = await signCheckpoint(head, ring.current(), issuer, now);
    await expect(TokenVerifier.local(ring.jwks, issuer, clock).verify(jws, 'api')).rejects.toMatchObject({
      code: expect.stringMatching(/^TOKEN\./),
    });
  });
});

describe('CSV export fields (RFC 4180)', () => {
  it('quotes fields with commas, quotes or line breaks and doubles quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(null)).toBe('');
    expect(csvField(true)).toBe('true');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\r\nbreak')).toBe('"line\r\nbreak"');
  });
  it('neutralises text a spreadsheet would run as a formula (OWASP) with a leading single quote', () => {
    expect(csvField('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"');
    expect(csvField('+1+2')).toBe("'+1+2");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tcmd')).toBe("'\tcmd");
    expect(csvField('\rcmd')).toBe('"\'\rcmd"');
    // Only a leading character counts; numbers are data, not text a user supplied.
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField(-1)).toBe('-1');
    expect(csvField(42)).toBe('42');
  });
});
