import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '#libs/persistence';
import { appendAudit, verifyAudit, type AuditAppend } from '../../apps/clearing/src/audit/audit-log.js';
import { freshDatabase } from '../support/database.js';

const root = new URL('../..', import.meta.url).pathname;

const entry = (i: number): AuditAppend => ({
  kind: 'decision',
  at: new Date(Date.UTC(2026, 10, 21, 9, 0, i)),
  actorId: `participant-${i % 3}`,
  dataset: 'battery.cfp',
  grantId: null,
  allow: i % 2 === 0,
  payload: { action: 'deliver', n: i },
});

describe('hash-chained audit log on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let prisma: PrismaClient;

  beforeAll(async () => {
    db = await freshDatabase(root, 'audit');
    prisma = createPrisma(db.url);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  // The table refuses changes (append-only triggers); these tests play a privileged attacker who disables them.
  const asAttacker = () => prisma.$executeRaw`ALTER TABLE clearing.audit_log DISABLE TRIGGER USER`;

  it('refuses UPDATE, DELETE and TRUNCATE at the database', async () => {
    await prisma.$transaction((tx) => appendAudit(tx, [entry(1)]));
    await expect(prisma.$executeRaw`UPDATE clearing.audit_log SET allow = NOT allow`).rejects.toThrow(
      /append-only/,
    );
    await expect(prisma.$executeRaw`DELETE FROM clearing.audit_log`).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRaw`TRUNCATE clearing.audit_log`).rejects.toThrow(/append-only/);
  });

  const reset = async () => {
    await asAttacker();
    await prisma.$executeRaw`TRUNCATE clearing.audit_log`;
    await prisma.$transaction((tx) =>
      appendAudit(
        tx,
        Array.from({ length: 10 }, (_, i) => entry(i)),
      ),
    );
  };

  it('verifies an untouched chain, appended in several transactions, concurrently', async () => {
    await asAttacker();
    await prisma.$executeRaw`TRUNCATE clearing.audit_log`;
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        prisma.$transaction((tx) => appendAudit(tx, [entry(i), entry(i + 100)])),
      ),
    );
    expect(await verifyAudit(prisma)).toMatchObject({ ok: true, entries: 16 });
  });

  it('detects a modified entry', async () => {
    await reset();
    await prisma.$executeRaw`UPDATE clearing.audit_log SET allow = NOT allow WHERE seq = 4`;
    expect(await verifyAudit(prisma)).toMatchObject({
      ok: false,
      firstBadSeq: '4',
      problem: expect.stringContaining('modified'),
    });
  });

  it('detects a removed entry', async () => {
    await reset();
    await prisma.$executeRaw`DELETE FROM clearing.audit_log WHERE seq = 6`;
    expect(await verifyAudit(prisma)).toMatchObject({
      ok: false,
      firstBadSeq: '7',
      problem: 'entry 6 is missing',
    });
  });

  it('detects reordered entries, even with their sequence numbers swapped', async () => {
    await reset();
    await prisma.$executeRaw`UPDATE clearing.audit_log SET seq = -2 WHERE seq = 2`;
    await prisma.$executeRaw`UPDATE clearing.audit_log SET seq = 2 WHERE seq = 3`;
    await prisma.$executeRaw`UPDATE clearing.audit_log SET seq = 3 WHERE seq = -2`;
    expect(await verifyAudit(prisma)).toMatchObject({ ok: false, firstBadSeq: '2' });
  });

  it('detects a removed tail only against a checkpoint: the head hash changes', async () => {
    await reset();
    const before = await verifyAudit(prisma);
    await prisma.$executeRaw`DELETE FROM clearing.audit_log WHERE seq = 10`;
    const after = await verifyAudit(prisma);
    expect(after.ok).toBe(true);
    expect(after.head).not.toBe(before.head);
  });
});
