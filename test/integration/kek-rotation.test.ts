import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePrivateJwk } from '@renkei/auth';
import { decryptValue, encryptValue, KekRing, newDataKey, wrapKey } from '@renkei/crypto';
import { FixedClock } from '@renkei/domain';
import { createPrisma, type PrismaClient } from '@renkei/persistence';
import { verifyAudit } from '../../apps/clearing/src/audit/audit-log.js';
import { DataKeyStore } from '../../apps/clearing/src/data-keys/data-key-store.js';
import { rotateKek, type KekRotationProgress } from '../../apps/clearing/src/data-keys/kek-rotation.js';
import {
  SigningKeyManager,
  type SigningKeySettings,
} from '../../apps/clearing/src/keys/signing-key-manager.js';
import { freshDatabase } from '../support/database.js';

const root = new URL('../..', import.meta.url).pathname;
const logger = pino({ level: 'silent' });
const MIN = 60_000;
const settings: SigningKeySettings = {
  policy: { rotateEveryMs: 24 * 60 * MIN, prepublishMs: 10 * MIN, maxTokenTtlMs: 10 * MIN, graceMs: MIN },
  checkIntervalMs: 5_000,
};
const clock = new FixedClock(new Date('2026-12-02T19:30:00Z'));

describe('KEK rotation on PostgreSQL (ADR 0037)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let prisma: PrismaClient;
  const oldKek = newDataKey();
  const newKek = newDataKey();
  const before = new KekRing(oldKek);
  const originator = randomUUID();
  const persons = Array.from({ length: 40 }, (_, i) => `person-${i}`);
  const sealed = new Map<string, ReturnType<typeof encryptValue>>();
  let shredded: string;
  let legacy: string;

  beforeAll(async () => {
    db = await freshDatabase(root, 'kekrotation');
    prisma = createPrisma(db.url);
    const store = new DataKeyStore(prisma, before);
    // A dataset key, and one key per person, each protecting one value (as the exchange encrypts fields).
    const datasetKey = await store.keyFor(originator, 'health.beds', null);
    const personKeys = await store.keysFor(originator, 'health.beds', persons);
    for (const k of [datasetKey, ...Object.values(personKeys)]) {
      sealed.set(
        k.kid,
        encryptValue(Buffer.from(k.key, 'base64url'), k.kid, { bed: k.kid }, 'health.beds/bed'),
      );
    }
    // A key of another dataset that is shredded before the rotation.
    shredded = (await store.keyFor(originator, 'health.other', null)).kid;
    await prisma.$transaction((tx) =>
      store.destroy(
        tx,
        originator,
        { dataset: 'health.other', subjectRef: null },
        'admin',
        'test',
        new Date(),
      ),
    );
    // A key wrapped before KEK ids were recorded (kek_id NULL).
    legacy = randomUUID();
    const legacyKey = newDataKey();
    await prisma.dataKey.create({
      data: {
        id: legacy,
        originatorId: originator,
        dataset: 'health.legacy',
        subjectRef: null,
        wrapped: new Uint8Array(wrapKey(oldKek, legacyKey, legacy)),
      },
    });
    sealed.set(legacy, encryptValue(legacyKey, legacy, { bed: legacy }, 'health.beds/bed'));
    // The signing-key ring (its private keys are wrapped with the KEK as well).
    const signing = new SigningKeyManager(prisma, before, settings, clock, logger);
    await signing.initialize([await generatePrivateJwk('sk-1'), await generatePrivateJwk('sk-2')]);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('re-wraps every key under the new KEK, in batches, with two runs at once', async () => {
    const during = new KekRing(newKek, [oldKek]);
    const progress: KekRotationProgress[] = [];
    // Two runs side by side (two operators, or two replicas): SKIP LOCKED splits the rows between them.
    const [a, b] = await Promise.all([
      rotateKek(prisma, during, { batchSize: 7, onProgress: (p) => progress.push(p) }),
      rotateKek(prisma, during, { batchSize: 7 }),
    ]);
    // 1 dataset key + 40 persons + the legacy key; both live signing keys (sk-2 is retiring, still wrapped).
    expect(a.dataKeys + b.dataKeys).toBe(42);
    expect(a.signingKeys + b.signingKeys).toBe(2);
    expect(a.remaining).toBe(0);
    expect(b.remaining).toBe(0);
    expect(a.unreadable).toEqual([]);
    // Bounded batches, with progress after each.
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toMatchObject({ remaining: 0 });
    const rows = await prisma.dataKey.findMany();
    for (const row of rows) {
      if (row.wrapped) expect(row.kekId).toBe(during.current.id);
    }
    // Idempotent: a run after it has nothing to do.
    expect(await rotateKek(prisma, during)).toMatchObject({ dataKeys: 0, signingKeys: 0, remaining: 0 });
  });

  it('decrypts what was encrypted before, with only the new KEK configured', async () => {
    const after = new KekRing(newKek);
    const store = new DataKeyStore(prisma, after);
    const released = await store.release('health.beds', [...sealed.keys()]);
    // The legacy key belongs to another dataset: release it under its own.
    const legacyReleased = await store.release('health.legacy', [legacy]);
    const keys = [...released.keys, ...legacyReleased.keys];
    expect(keys).toHaveLength(sealed.size);
    for (const { kid, key } of keys) {
      expect(decryptValue(Buffer.from(key, 'base64url'), sealed.get(kid)!, 'health.beds/bed')).toEqual({
        bed: kid,
      });
    }
    // The same live keys are used for new encryption (no new key was created by the rotation).
    expect((await store.keyFor(originator, 'health.beds', null)).kid).toBe(
      (await prisma.dataKey.findFirst({ where: { dataset: 'health.beds', subjectRef: null } }))!.id,
    );
    // The signing keys load with the new KEK alone.
    const signing = new SigningKeyManager(prisma, after, settings, clock, logger);
    await signing.reload();
    expect(signing.list().filter((k) => k.state !== 'retired').length).toBeGreaterThan(0);
    // And the old KEK alone no longer opens anything.
    await expect(new DataKeyStore(prisma, before).release('health.beds', [...sealed.keys()])).rejects.toThrow(
      /not configured/,
    );
  });

  it('keeps a shredded key unreadable', async () => {
    const row = await prisma.dataKey.findUniqueOrThrow({ where: { id: shredded } });
    expect(row.wrapped).toBeNull();
    expect(row.destroyedAt).not.toBeNull();
    const { keys, destroyed } = await new DataKeyStore(prisma, new KekRing(newKek, [oldKek])).release(
      'health.other',
      [shredded],
    );
    expect(keys).toEqual([]);
    expect(destroyed).toEqual([shredded]);
  });

  it('reports keys whose KEK is not configured, and leaves them as they are', async () => {
    const stray = randomUUID();
    const strayKek = new KekRing(newDataKey());
    const { kekId, wrapped } = strayKek.wrap(newDataKey(), stray);
    await prisma.dataKey.create({
      data: {
        id: stray,
        originatorId: originator,
        dataset: 'health.stray',
        subjectRef: null,
        wrapped: new Uint8Array(wrapped),
        kekId,
      },
    });
    const result = await rotateKek(prisma, new KekRing(newKek), { batchSize: 5 });
    expect(result).toMatchObject({ dataKeys: 0, remaining: 1 });
    expect(result.unreadable).toEqual([{ table: 'data_keys', id: stray, kek: kekId }]);
    expect((await prisma.dataKey.findUniqueOrThrow({ where: { id: stray } })).kekId).toBe(kekId);
  });

  it('puts each run on the audit chain, which stays valid', async () => {
    const entries = await prisma.auditEntry.findMany({
      where: { kind: 'kek.rotated' },
      orderBy: { seq: 'asc' },
    });
    expect(entries.length).toBe(4);
    expect(entries[0]!.payload).toMatchObject({ kek: new KekRing(newKek).current.id });
    expect(JSON.stringify(entries.map((e) => e.payload))).not.toContain(newKek.toString('base64url'));
    expect(await verifyAudit(prisma)).toMatchObject({ ok: true });
  });
});
