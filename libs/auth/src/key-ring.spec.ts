import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, type JWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '@renkei/domain';
import {
  KeyRing,
  applyPlan,
  nextChangeDue,
  planRequestedRotation,
  planRotation,
  type KeyTimes,
  type RingKey,
  type RotationPolicy,
} from './key-ring.js';
import { generatePrivateJwk, toSigningKey } from './signing-keys.js';
import { TokenIssuer, TokenVerifier } from './tokens.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const policy: RotationPolicy = {
  rotateEveryMs: 720 * HOUR,
  prepublishMs: 10 * MIN,
  maxTokenTtlMs: 10 * MIN,
  graceMs: 1 * MIN,
};
const t0 = new Date('2026-11-21T09:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const states = (keys: KeyTimes[]) => Object.fromEntries(keys.map((k) => [k.kid, k.state]));

describe('signing-key rotation plan (injected clock)', () => {
  const start: KeyTimes[] = [{ kid: 'k1', state: 'active', createdAt: t0, activatedAt: t0, retiredAt: null }];

  it('walks next → active → retiring → retired on time, with the JWKS overlap in between', () => {
    let keys = start;
    // Nothing to do until the rotation period has passed.
    expect(planRotation(keys, at(720 * HOUR - 1), policy)).toEqual({ transitions: [], createNext: null });
    expect(nextChangeDue(keys, policy)).toEqual(at(720 * HOUR));

    // (a) the successor is created, due after the pre-publication delay.
    const created = at(720 * HOUR);
    let plan = planRotation(keys, created, policy);
    expect(plan).toEqual({ transitions: [], createNext: { activateAt: at(720 * HOUR + 10 * MIN) } });
    keys = applyPlan(keys, plan, created, 'k2');
    expect(states(keys)).toEqual({ k1: 'active', k2: 'next' });
    expect(nextChangeDue(keys, policy)).toEqual(at(720 * HOUR + 10 * MIN));
    expect(planRotation(keys, at(720 * HOUR + 10 * MIN - 1), policy).transitions).toEqual([]);

    // (b) promotion: the new key signs, the old one retires but stays published.
    const promoted = at(720 * HOUR + 10 * MIN);
    plan = planRotation(keys, promoted, policy);
    expect(plan.transitions.map((t) => `${t.kid}:${t.from}→${t.to}`)).toEqual([
      'k2:next→active',
      'k1:active→retiring',
    ]);
    expect(plan.createNext).toBeNull();
    keys = applyPlan(keys, plan, promoted);
    expect(keys.find((k) => k.kid === 'k1')).toMatchObject({ state: 'retiring', retiredAt: promoted });
    expect(keys.find((k) => k.kid === 'k2')).toMatchObject({ state: 'active', activatedAt: promoted });

    // (c) the retiring key leaves after the longest token it signed has expired (+ grace).
    const gone = promoted.getTime() + 10 * MIN + 1 * MIN;
    expect(nextChangeDue(keys, policy)).toEqual(new Date(gone));
    expect(planRotation(keys, new Date(gone - 1), policy).transitions).toEqual([]);
    plan = planRotation(keys, new Date(gone), policy);
    expect(plan.transitions.map((t) => `${t.kid}:${t.from}→${t.to}`)).toEqual(['k1:retiring→retired']);
    keys = applyPlan(keys, plan, new Date(gone));
    expect(states(keys)).toEqual({ k1: 'retired', k2: 'active' });

    // And the next scheduled rotation counts from k2's activation.
    expect(nextChangeDue(keys, policy)).toEqual(new Date(promoted.getTime() + 720 * HOUR));
  });

  it('never rotates on schedule when the period is 0, but does on request', () => {
    const manual = { ...policy, rotateEveryMs: 0 };
    expect(planRotation(start, at(10_000 * HOUR), manual).createNext).toBeNull();
    expect(nextChangeDue(start, manual)).toBeNull();
    expect(planRequestedRotation(start, at(0), 5 * MIN)).toEqual({ createNext: { activateAt: at(5 * MIN) } });
  });

  it('brings a pending key forward on request, never later', () => {
    const keys = applyPlan(start, { transitions: [], createNext: { activateAt: at(10 * MIN) } }, t0, 'k2');
    expect(planRequestedRotation(keys, at(MIN), 0)).toEqual({
      reschedule: { kid: 'k2', activateAt: at(MIN) },
    });
    expect(planRequestedRotation(keys, at(MIN), 60 * MIN)).toEqual({ pending: 'k2' });
  });

  it('promotes a pending key at once if no key is active', () => {
    const keys: KeyTimes[] = [
      { kid: 'k2', state: 'next', createdAt: t0, activatedAt: at(HOUR), retiredAt: null },
    ];
    expect(planRotation(keys, t0, policy).transitions).toEqual([
      expect.objectContaining({ kid: 'k2', to: 'active' }),
    ]);
  });

  it('keeps only the newest of two active keys signing', () => {
    const keys: KeyTimes[] = [
      { kid: 'k1', state: 'active', createdAt: t0, activatedAt: t0, retiredAt: null },
      { kid: 'k2', state: 'active', createdAt: at(MIN), activatedAt: at(MIN), retiredAt: null },
    ];
    expect(planRotation(keys, at(2 * MIN), policy).transitions).toEqual([
      expect.objectContaining({ kid: 'k1', from: 'active', to: 'retiring' }),
    ]);
  });
});

async function ringKey(kid: string, state: KeyTimes['state']): Promise<RingKey> {
  const signing = await toSigningKey(await generatePrivateJwk(kid));
  return {
    kid,
    state,
    createdAt: t0,
    activatedAt: state === 'next' ? null : t0,
    retiredAt: null,
    publicJwk: signing.publicJwk,
    privateKey: state === 'retired' ? null : signing.privateKey,
  };
}

describe('key ring', () => {
  const clock = new FixedClock(t0);

  it('signs with the active key and publishes next, active and retiring keys (not retired ones)', async () => {
    const ring = new KeyRing([
      await ringKey('old', 'retired'),
      await ringKey('k1', 'retiring'),
      await ringKey('k2', 'active'),
      await ringKey('k3', 'next'),
    ]);
    expect(ring.current().kid).toBe('k2');
    expect(ring.jwks.keys.map((k) => k.kid)).toEqual(['k2', 'k3', 'k1']);
    expect(ring.verificationJwks.keys.map((k) => k.kid).sort()).toEqual(['k1', 'k2', 'k3', 'old']);
    for (const k of ring.verificationJwks.keys) expect(k).not.toHaveProperty('d');
  });

  it('lets the issuer pick up a promoted key without a restart; the old tokens keep verifying', async () => {
    const [k1, k2] = [await ringKey('k1', 'active'), await ringKey('k2', 'next')];
    const ring = new KeyRing([k1, k2]);
    const issuer = new TokenIssuer(ring, 'urn:renkei:clearing', clock);
    const verifier = TokenVerifier.local(() => ring.jwks, 'urn:renkei:clearing', clock);
    const req = { subject: 'p1', audience: 'api' as const, scopes: ['x'], ttlSeconds: 300 };
    const before = (await issuer.issue(req)).token;
    expect(decodeProtectedHeader(before).kid).toBe('k1');

    ring.replace([
      { ...k1, state: 'retiring', retiredAt: t0 },
      { ...k2, state: 'active', activatedAt: t0 },
    ]);
    const after = (await issuer.issue(req)).token;
    expect(decodeProtectedHeader(after).kid).toBe('k2');
    await expect(verifier.verify(before, 'api')).resolves.toMatchObject({ participantId: 'p1' });
    await expect(verifier.verify(after, 'api')).resolves.toMatchObject({ participantId: 'p1' });

    ring.replace([
      { ...k1, state: 'retired', retiredAt: t0, privateKey: null },
      { ...k2, state: 'active', activatedAt: t0 },
    ]);
    await expect(verifier.verify(before, 'api')).rejects.toMatchObject({ code: 'TOKEN.INVALID_SIGNATURE' });
  });

  it('reloads the ring once for a token with an unknown kid (another replica rotated), not for each forged kid', async () => {
    const [k1, k2] = [await ringKey('k1', 'active'), await ringKey('k2', 'next')];
    // Replica A promoted k2 and signs with it; replica B has not reloaded yet and knows only k1.
    const ringA = new KeyRing([
      { ...k1, state: 'retiring', retiredAt: t0 },
      { ...k2, state: 'active', activatedAt: t0 },
    ]);
    const ringB = new KeyRing([k1]);
    let reloads = 0;
    const refresh = async () => {
      reloads++;
      await Promise.resolve();
      ringB.replace([
        { ...k1, state: 'retiring', retiredAt: t0 },
        { ...k2, state: 'active', activatedAt: t0 },
      ]);
    };
    const req = { subject: 'p1', audience: 'api' as const, scopes: ['x'], ttlSeconds: 300 };
    const token = (await new TokenIssuer(ringA, 'urn:renkei:clearing', clock).issue(req)).token;
    expect(decodeProtectedHeader(token).kid).toBe('k2');

    // Without a refresh B refuses the new key's tokens until its periodic reload.
    const plain = TokenVerifier.local(() => ringB.jwks, 'urn:renkei:clearing', clock);
    await expect(plain.verify(token, 'api')).rejects.toMatchObject({ code: 'TOKEN.INVALID_SIGNATURE' });

    const verifierB = TokenVerifier.local(() => ringB.jwks, 'urn:renkei:clearing', clock, {
      refresh,
      refreshCooldownMs: 60_000,
    });
    // Concurrent tokens share one reload.
    await expect(
      Promise.all([verifierB.verify(token, 'api'), verifierB.verify(token, 'api')]),
    ).resolves.toEqual([
      expect.objectContaining({ participantId: 'p1' }),
      expect.objectContaining({ participantId: 'p1' }),
    ]);
    expect(reloads).toBe(1);

    // A forged kid within the cooldown does not reload again, and is still refused.
    const forged = (
      await new TokenIssuer(
        new KeyRing([await ringKey('forged', 'active')]),
        'urn:renkei:clearing',
        clock,
      ).issue(req)
    ).token;
    await expect(verifierB.verify(forged, 'api')).rejects.toMatchObject({ code: 'TOKEN.INVALID_SIGNATURE' });
    expect(reloads).toBe(1);
  });

  it('refuses to sign with no active key', () => {
    expect(() => new KeyRing([]).current()).toThrow(/no active key/);
  });
});

describe('remote JWKS verification', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('refetches the JWKS for an unknown kid (after the cooldown), so a new key verifies at once', async () => {
    const clock = new FixedClock(new Date());
    const k1 = await toSigningKey(await generatePrivateJwk('k1'));
    const k2 = await toSigningKey(await generatePrivateJwk('k2'));
    let published: JWK[] = [k1.publicJwk];
    let fetches = 0;
    server = createServer((_req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    const verifier = TokenVerifier.remote(url, 'iss', clock, { cooldownMs: 200, cacheMaxAgeMs: 60_000 });
    const req = { subject: 'p1', audience: 'exchange' as const, scopes: ['x'], ttlSeconds: 60 };

    await verifier.verify((await new TokenIssuer([k1], 'iss', clock).issue(req)).token, 'exchange');
    expect(fetches).toBe(1);

    published = [k2.publicJwk, k1.publicJwk];
    const byK2 = (await new TokenIssuer([k2], 'iss', clock).issue(req)).token;
    // Within the cooldown an unknown kid is refused without asking clearing again...
    await expect(verifier.verify(byK2, 'exchange')).rejects.toMatchObject({
      code: 'TOKEN.INVALID_SIGNATURE',
    });
    expect(fetches).toBe(1);
    await new Promise((r) => setTimeout(r, 250));
    // ...after it, the unknown kid triggers one refetch and verifies.
    await expect(verifier.verify(byK2, 'exchange')).resolves.toMatchObject({ participantId: 'p1' });
    expect(fetches).toBe(2);
  });
});
