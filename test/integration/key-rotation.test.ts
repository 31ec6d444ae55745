import { decodeProtectedHeader, type JWK } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '@renkei/domain';
import { TokenIssuer, TokenVerifier, generatePrivateJwk } from '@renkei/auth';
import { KekRing, newDataKey } from '@renkei/crypto';
import { createPrisma, type PrismaClient } from '@renkei/persistence';
import { appendAudit, verifyAudit } from '../../apps/clearing/src/audit/audit-log.js';
import { AuditCheckpointer } from '../../apps/clearing/src/audit/checkpoints.js';
import {
  SigningKeyManager,
  type SigningKeySettings,
} from '../../apps/clearing/src/keys/signing-key-manager.js';
import { freshDatabase } from '../support/database.js';

const root = new URL('../..', import.meta.url).pathname;
const issuerId = 'urn:renkei:clearing';
const MIN = 60_000;
const settings: SigningKeySettings = {
  policy: { rotateEveryMs: 24 * 60 * MIN, prepublishMs: 10 * MIN, maxTokenTtlMs: 10 * MIN, graceMs: MIN },
  checkIntervalMs: 5_000,
};
const logger = pino({ level: 'silent' });

describe('signing-key rotation with overlap, on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let prisma: PrismaClient;
  const kek = new KekRing(newDataKey());
  const clock = new FixedClock(new Date('2026-11-21T09:00:00Z'));
  let configured: JWK[];
  let a: SigningKeyManager;
  let b: SigningKeyManager;

  const states = (m: SigningKeyManager) => Object.fromEntries(m.list().map((k) => [k.kid, k.state]));
  const published = (m: SigningKeyManager) => m.ring.jwks.keys.map((k) => k.kid).sort();

  beforeAll(async () => {
    db = await freshDatabase(root, 'keyrotation');
    prisma = createPrisma(db.url);
    configured = [await generatePrivateJwk('cfg-1'), await generatePrivateJwk('cfg-2')];
    // Two clearing replicas on one database.
    a = new SigningKeyManager(prisma, kek, settings, clock, logger);
    b = new SigningKeyManager(prisma, kek, settings, clock, logger);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('imports SIGNING_KEYS on the first start only: the first active, the others retiring', async () => {
    await a.initialize(configured);
    await b.initialize([await generatePrivateJwk('ignored')]);
    expect(states(a)).toEqual({ 'cfg-1': 'active', 'cfg-2': 'retiring' });
    expect(states(b)).toEqual(states(a));
    expect(a.ring.current().kid).toBe('cfg-1');
    expect(published(a)).toEqual(['cfg-1', 'cfg-2']);
  });

  it('keeps private keys wrapped with the KEK and never exposes them', async () => {
    const rows = await prisma.signingKey.findMany();
    for (const row of rows) {
      const d = configured.find((k) => k.kid === row.kid)?.d;
      expect(Buffer.from(row.wrapped).toString('latin1')).not.toContain(d);
      expect(row.publicJwk).not.toHaveProperty('d');
    }
    expect(JSON.stringify(a.list())).not.toMatch(/"d"|wrapped|privateKey/);
    const wrongKek = new SigningKeyManager(prisma, new KekRing(newDataKey()), settings, clock, logger);
    await expect(wrongKek.reload()).rejects.toThrow(/KEY_ENCRYPTION_KEY is not the key it was wrapped with/);
  });

  it('rotates on schedule: next (published, not signing) → active, old active → retiring → retired', async () => {
    const issuer = new TokenIssuer(a.ring, issuerId, clock);
    const verifierA = TokenVerifier.local(() => a.ring.jwks, issuerId, clock);
    const req = { subject: 'p1', audience: 'exchange' as const, scopes: ['x'], ttlSeconds: 600 };

    // cfg-2 leaves once the longest token it could have signed has expired (+ grace).
    clock.advance(11 * MIN);
    await a.check();
    expect(states(a)).toMatchObject({ 'cfg-1': 'active', 'cfg-2': 'retired' });
    expect(published(a)).toEqual(['cfg-1']);

    // (a) the rotation period is over: a successor is created and published, but cfg-1 still signs.
    // Both replicas find the rotation due and check at once: exactly one successor, and one audit entry.
    clock.advance(24 * 60 * MIN);
    await Promise.all([a.check(), b.check()]);
    const nextRows = await prisma.signingKey.findMany({ where: { state: 'next' } });
    expect(nextRows).toHaveLength(1);
    const created = (await prisma.auditEntry.findMany({ where: { kind: 'signing-key.changed' } })).filter(
      (e) => {
        const p = e.payload as { from?: unknown; to?: unknown };
        return p.from === null && p.to === 'next';
      },
    );
    expect(created).toHaveLength(1);
    expect(created[0]!.payload).toMatchObject({ kid: nextRows[0]!.kid, reason: 'scheduled' });
    await b.check();
    await a.check();
    const next = a.list().find((k) => k.state === 'next')!;
    expect(next.kid).toBe(nextRows[0]!.kid);
    expect(b.list().find((k) => k.state === 'next')?.kid).toBe(next.kid);
    expect(next).toMatchObject({
      activatesAt: new Date(clock.now().getTime() + 10 * MIN).toISOString(),
      published: true,
    });
    expect(published(a)).toEqual(['cfg-1', next.kid].sort());
    const before = (await issuer.issue(req)).token;
    expect(decodeProtectedHeader(before).kid).toBe('cfg-1');
    // Both replicas checking at once rotate once.
    await Promise.all([a.check(), b.check()]);
    expect(a.list().filter((k) => k.state === 'next')).toHaveLength(1);

    // (b) after the pre-publication delay the new key signs, without a restart; the old one retires.
    clock.advance(10 * MIN);
    await a.check();
    expect(states(a)).toMatchObject({ 'cfg-1': 'retiring', [next.kid]: 'active' });
    const after = (await issuer.issue(req)).token;
    expect(decodeProtectedHeader(after).kid).toBe(next.kid);
    // The overlap: both verify, and the JWKS lists both.
    await expect(verifierA.verify(before, 'exchange')).resolves.toBeDefined();
    await expect(verifierA.verify(after, 'exchange')).resolves.toBeDefined();
    expect(published(a)).toEqual(['cfg-1', next.kid].sort());
    // The other replica follows at its next reload.
    await b.check();
    expect(b.ring.current().kid).toBe(next.kid);

    // (c) once every token cfg-1 signed has expired it leaves the JWKS; its private part is destroyed.
    clock.advance(11 * MIN - 1);
    await a.check();
    expect(states(a)['cfg-1']).toBe('retiring');
    clock.advance(1);
    await a.check();
    expect(states(a)['cfg-1']).toBe('retired');
    expect(published(a)).toEqual([next.kid]);
    const retired = await prisma.signingKey.findUniqueOrThrow({ where: { kid: 'cfg-1' } });
    expect(retired.wrapped).toHaveLength(0);
    expect(retired.publicJwk).toMatchObject({ kty: 'EC', kid: 'cfg-1' });
    expect(a.ring.verificationJwks.keys.map((k) => k.kid)).toContain('cfg-1');
  });

  it('rotates on request, brings a pending key forward, and leaves one due sooner alone', async () => {
    const activeBefore = a.ring.current().kid;
    const created = await a.rotate('consortium-admin');
    expect(created).toMatchObject({ result: 'created', key: { state: 'next' } });
    expect(await a.rotate('consortium-admin', 60 * MIN)).toMatchObject({
      result: 'pending',
      key: { kid: created.key.kid },
    });
    const now = await a.rotate('consortium-admin', 0);
    expect(now).toMatchObject({ result: 'rescheduled', key: { kid: created.key.kid, state: 'active' } });
    expect(a.ring.current().kid).toBe(created.key.kid);
    expect(states(a)[activeBefore]).toBe('retiring');
  });

  it('signs audit checkpoints with the active key and verifies old ones after their key retired', async () => {
    const checkpoints = new AuditCheckpointer(prisma, a.ring, issuerId, clock, logger);
    const { checkpoint } = await checkpoints.checkpoint();
    expect(checkpoint!.kid).toBe(a.ring.current().kid);
    await a.rotate('consortium-admin', 0);
    clock.advance(12 * MIN);
    await a.check();
    expect(states(a)[checkpoint!.kid]).toBe('retired');
    await expect(checkpoints.verifyJws(checkpoint!.jws)).resolves.toMatchObject({ kid: checkpoint!.kid });
    expect(await verifyAudit(prisma, checkpoints.storedHeads())).toMatchObject({ ok: true });
  });

  it('verifies on one replica a checkpoint signed with a key another replica created a moment ago', async () => {
    await a.rotate('consortium-admin', 0);
    await prisma.$transaction((tx) =>
      appendAudit(tx, [
        {
          kind: 'decision',
          at: clock.now(),
          actorId: 'p1',
          dataset: null,
          grantId: null,
          allow: true,
          payload: {},
        },
      ]),
    );
    const { checkpoint } = await new AuditCheckpointer(prisma, a, issuerId, clock, logger).checkpoint();
    expect(checkpoint!.kid).toBe(a.ring.current().kid);
    expect(b.ring.verificationJwks.keys.map((k) => k.kid)).not.toContain(checkpoint!.kid);
    const onB = new AuditCheckpointer(prisma, b, issuerId, clock, logger);
    await expect(onB.verifyJws(checkpoint!.jws)).resolves.toMatchObject({ kid: checkpoint!.kid });
    expect(await verifyAudit(prisma, onB.storedHeads())).toMatchObject({ ok: true });
  });

  it('puts every key change on the audit record', async () => {
    const changes = await prisma.auditEntry.findMany({
      where: { kind: 'signing-key.changed' },
      orderBy: { seq: 'asc' },
    });
    const moves = changes.map((c) => {
      const p = c.payload as { kid: string; from: string | null; to: string };
      return `${p.kid.startsWith('cfg-') ? p.kid : 'new'}:${p.from}→${p.to}`;
    });
    expect(moves.slice(0, 5)).toEqual([
      'cfg-1:null→active',
      'cfg-2:null→retiring',
      'cfg-2:retiring→retired',
      'new:null→next',
      'new:next→active',
    ]);
    expect(moves).toContain('cfg-1:retiring→retired');
    expect(changes.find((c) => (c.payload as { reason: string }).reason === 'requested')).toMatchObject({
      actorId: 'consortium-admin',
    });
    expect(await verifyAudit(prisma)).toMatchObject({ ok: true });
  });
});
