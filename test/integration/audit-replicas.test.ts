/**
 * Two clearing replicas share one audit chain: each has its own connection pool and its own checkpointer,
 * and both append and sign at once. The chain stays one chain (numbered without a gap, no two entries on
 * the same predecessor), it verifies against every stored checkpoint, and neither checkpointer ever takes
 * the other's progress for tampering.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '@renkei/domain';
import { KeyRing, generatePrivateJwk, toSigningKey } from '@renkei/auth';
import { createPrisma, type PrismaClient } from '@renkei/persistence';
import { appendAudit, verifyAudit, type AuditAppend } from '../../apps/clearing/src/audit/audit-log.js';
import { AuditCheckpointer } from '../../apps/clearing/src/audit/checkpoints.js';
import { freshDatabase } from '../support/database.js';

const root = new URL('../..', import.meta.url).pathname;
const issuer = 'urn:renkei:clearing';
/** Transactions per replica; each appends one to three entries. */
const TRANSACTIONS = 200;

const entry = (replica: number, i: number): AuditAppend => ({
  kind: 'decision',
  at: new Date(Date.UTC(2026, 11, 2, 9, 0, 0, i)),
  actorId: `replica-${replica}`,
  dataset: 'battery.cfp',
  grantId: null,
  allow: i % 2 === 0,
  payload: { action: 'deliver', replica, n: i },
});

describe('one audit chain under two clearing replicas', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let replicas: PrismaClient[];
  // One signing key for the whole file, as the replicas of one deployment share theirs: the second test
  // verifies the checkpoints the first one signed.
  const at = new Date('2026-12-02T09:00:00Z');
  let ring: KeyRing;

  beforeAll(async () => {
    const key = await toSigningKey(await generatePrivateJwk('k1'));
    ring = new KeyRing([
      { ...key, kid: 'k1', state: 'active', createdAt: at, activatedAt: at, retiredAt: null },
    ]);
    db = await freshDatabase(root, 'audit-replicas');
    replicas = [createPrisma(db.url), createPrisma(db.url)];
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((p) => p.$disconnect()));
    await db?.drop();
  });

  it('appends hundreds of transactions from each replica concurrently into one chain that verifies', async () => {
    const checkpointers = replicas.map(
      (prisma) => new AuditCheckpointer(prisma, ring, issuer, new FixedClock(at), pino({ level: 'silent' })),
    );
    let appending = true;
    const refusals: string[] = [];
    // Each replica signs checkpoints as fast as it can while both append.
    const signing = checkpointers.map(async (c) => {
      let signed = 0;
      while (appending) {
        await c.checkpoint().then(
          (r) => (signed += r.created ? 1 : 0),
          (error: unknown) => refusals.push((error as Error).message),
        );
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return signed;
    });
    const appends = replicas.map(async (prisma, replica) => {
      let entries = 0;
      // Four transactions in flight per replica, as concurrent requests would be.
      await Promise.all(
        Array.from({ length: 4 }, async (_, lane) => {
          for (let i = lane; i < TRANSACTIONS; i += 4) {
            const batch = Array.from({ length: 1 + (i % 3) }, (_, k) => entry(replica, i * 3 + k));
            await prisma.$transaction((tx) => appendAudit(tx, batch));
            entries += batch.length;
          }
        }),
      );
      return entries;
    });
    const appended = (await Promise.all(appends)).reduce((a, b) => a + b, 0);
    appending = false;
    const signed = await Promise.all(signing);
    expect(refusals).toEqual([]);
    expect(signed.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    const [shape] = await replicas[0]!.$queryRaw<{ n: bigint; max: bigint; forks: bigint }[]>`
      SELECT count(*) AS n, max(seq) AS max,
             (SELECT count(*) FROM (SELECT prev_hash FROM clearing.audit_log GROUP BY prev_hash HAVING count(*) > 1) f) AS forks
      FROM clearing.audit_log`;
    expect(Number(shape!.n)).toBe(appended);
    expect(Number(shape!.max)).toBe(appended);
    expect(Number(shape!.forks)).toBe(0);
    const verdict = await verifyAudit(replicas[1]!, checkpointers[1]!.storedHeads());
    expect(verdict).toMatchObject({ ok: true, entries: appended, code: null });
    expect(verdict.checkpointsChecked).toBeGreaterThan(0);
    // A final checkpoint at either replica is the head, once.
    const last = await checkpointers[0]!.checkpoint();
    expect(last.checkpoint?.seq).toBe(appended);
  });

  it("never takes the other replica's newer checkpoint for a cut-back chain, nor stores an older one after it", async () => {
    const [first, second] = replicas as [PrismaClient, PrismaClient];
    let interleave: (() => Promise<void>) | undefined;
    // Replica 0's view of the database: right after it has read the head of the chain, replica 1 appends
    // and signs a checkpoint of the newer head (the moment two replicas' timers meet).
    const seen = new Proxy(first, {
      get(target, property) {
        if (property === 'auditEntry') {
          return new Proxy(target.auditEntry, {
            get(delegate, name) {
              if (name !== 'findFirst') return Reflect.get(delegate, name) as unknown;
              return async (args: Parameters<typeof delegate.findFirst>[0]) => {
                const found = await delegate.findFirst(args);
                const step = interleave;
                interleave = undefined;
                await step?.();
                return found;
              };
            },
          });
        }
        const value = Reflect.get(target, property) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const checkpointer = (prisma: PrismaClient) =>
      new AuditCheckpointer(prisma, ring, issuer, new FixedClock(at), pino({ level: 'silent' }));
    const [a, b] = [checkpointer(seen), checkpointer(second)];
    await first.$transaction((tx) => appendAudit(tx, [entry(0, 1)]));
    await a.checkpoint();
    await first.$transaction((tx) => appendAudit(tx, [entry(0, 2)]));
    interleave = async () => {
      await second.$transaction((tx) => appendAudit(tx, [entry(1, 3), entry(1, 4)]));
      await b.checkpoint();
    };
    const [head] = await first.$queryRaw<{ seq: bigint }[]>`SELECT max(seq) AS seq FROM clearing.audit_log`;
    const result = await a.checkpoint();
    expect(interleave).toBeUndefined();
    // Replica 1's checkpoint covers the newer head: replica 0 answers with it and stores none of its own.
    expect(result).toMatchObject({ created: false, checkpoint: { seq: Number(head!.seq) + 2 } });
    const stored = await first.auditCheckpoint.findMany({ orderBy: { seq: 'asc' }, select: { seq: true } });
    expect(stored.map((c) => Number(c.seq)).filter((seq) => seq > Number(head!.seq) - 1)).toEqual([
      Number(head!.seq) + 2,
    ]);
  });
});
