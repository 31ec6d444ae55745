import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '@renkei/domain';
import { KeyRing, generatePrivateJwk, toSigningKey, type RingKey } from '@renkei/auth';
import { createPrisma, type PrismaClient } from '@renkei/persistence';
import {
  appendAudit,
  combineHeads,
  entryHash,
  headsOf,
  verifyAudit,
  type AuditAppend,
} from '../../apps/clearing/src/audit/audit-log.js';
import { AuditCheckpointer } from '../../apps/clearing/src/audit/checkpoints.js';
import { decisionColumns } from '../../apps/clearing/src/audit/audit-entries.js';
import { freshDatabase } from '../support/database.js';

const root = new URL('../..', import.meta.url).pathname;
const issuer = 'urn:renkei:clearing';

const entry = (i: number): AuditAppend => ({
  kind: 'decision',
  at: new Date(Date.UTC(2026, 10, 21, 9, 0, i)),
  actorId: `participant-${i % 3}`,
  dataset: 'battery.cfp',
  grantId: null,
  allow: i % 2 === 0,
  payload: { action: 'deliver', n: i },
});

async function ringKey(kid: string, state: RingKey['state']): Promise<RingKey> {
  const k = await toSigningKey(await generatePrivateJwk(kid));
  const at = new Date('2026-11-21T09:00:00Z');
  return {
    kid,
    state,
    createdAt: at,
    activatedAt: at,
    retiredAt: null,
    publicJwk: k.publicJwk,
    privateKey: k.privateKey,
  };
}

describe('hash-chained audit log on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let prisma: PrismaClient;
  let ring: KeyRing;
  let checkpointer: AuditCheckpointer;

  beforeAll(async () => {
    db = await freshDatabase(root, 'audit');
    prisma = createPrisma(db.url);
    ring = new KeyRing([await ringKey('k1', 'active')]);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });
  // A fresh checkpointer per chain: it remembers the last checkpoint it trusted.
  const newCheckpointer = () =>
    (checkpointer = new AuditCheckpointer(
      prisma,
      ring,
      issuer,
      new FixedClock(new Date('2026-11-21T10:00:00Z')),
      pino({ level: 'silent' }),
    ));
  beforeEach(newCheckpointer);

  // The table refuses changes (append-only triggers); these tests play a privileged attacker who disables them.
  const asAttacker = async () => {
    await prisma.$executeRaw`ALTER TABLE clearing.audit_log DISABLE TRIGGER USER`;
    await prisma.$executeRaw`ALTER TABLE clearing.audit_checkpoints DISABLE TRIGGER USER`;
  };
  const append = (from: number, n: number) =>
    prisma.$transaction((tx) =>
      appendAudit(
        tx,
        Array.from({ length: n }, (_, i) => entry(from + i)),
      ),
    );
  const verify = () => verifyAudit(prisma, checkpointer.storedHeads());

  it('refuses UPDATE, DELETE and TRUNCATE at the database', async () => {
    await prisma.$transaction((tx) => appendAudit(tx, [entry(1)]));
    await expect(prisma.$executeRaw`UPDATE clearing.audit_log SET allow = NOT allow`).rejects.toThrow(
      /append-only/,
    );
    await expect(prisma.$executeRaw`DELETE FROM clearing.audit_log`).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRaw`TRUNCATE clearing.audit_log`).rejects.toThrow(/append-only/);
    await checkpointer.checkpoint();
    await expect(prisma.$executeRaw`UPDATE clearing.audit_checkpoints SET kid = 'x'`).rejects.toThrow(
      /append-only/,
    );
    await expect(prisma.$executeRaw`DELETE FROM clearing.audit_checkpoints`).rejects.toThrow(/append-only/);
  });

  const reset = async (n = 10) => {
    await asAttacker();
    await prisma.$executeRaw`TRUNCATE clearing.audit_log`;
    await prisma.$executeRaw`TRUNCATE clearing.audit_checkpoints`;
    if (n > 0) await append(0, n);
    newCheckpointer();
  };

  it('verifies an untouched chain, appended in several transactions, concurrently', async () => {
    await reset(0);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        prisma.$transaction((tx) => appendAudit(tx, [entry(i), entry(i + 100)])),
      ),
    );
    expect(await verifyAudit(prisma)).toMatchObject({ ok: true, entries: 16, code: null });
  });

  it('detects a modified entry', async () => {
    await reset();
    await prisma.$executeRaw`UPDATE clearing.audit_log SET allow = NOT allow WHERE seq = 4`;
    expect(await verifyAudit(prisma)).toMatchObject({
      ok: false,
      code: 'AUDIT.MODIFIED',
      firstBadSeq: '4',
      problem: expect.stringContaining('modified'),
    });
  });

  it('detects a modified entry whose hash was recomputed, at that entry', async () => {
    await reset();
    // The attacker rewrites entry 4 and recomputes its hash properly: entry 4 alone verifies, so only the
    // broken link from entry 5 (which still names entry 4's old hash) can give it away.
    const row = await prisma.auditEntry.findUniqueOrThrow({ where: { seq: 4n } });
    const rewritten = { ...row, allow: !row.allow };
    const hash = entryHash(row.prevHash, rewritten);
    expect(hash).not.toBe(row.hash);
    await prisma.$executeRaw`UPDATE clearing.audit_log SET allow = ${rewritten.allow}, hash = ${hash} WHERE seq = 4`;
    const changed = await prisma.auditEntry.findUniqueOrThrow({ where: { seq: 4n } });
    expect(entryHash(changed.prevHash, changed)).toBe(changed.hash);
    expect(await verifyAudit(prisma)).toMatchObject({
      ok: false,
      code: 'AUDIT.MODIFIED',
      firstBadSeq: '4',
      problem: expect.stringContaining('entry 5 does not link to entry 4'),
    });
  });

  it('walks only up to a given seq when asked (a receipt check), judging nothing after it', async () => {
    await reset();
    const five = await prisma.auditEntry.findUniqueOrThrow({ where: { seq: 5n } });
    const receipt = [{ seq: 5n, hash: five.hash, label: 'the receipt' }];
    // Up to a seq the chain no longer reaches: truncated.
    const beyond = [{ seq: 12n, hash: five.hash, label: 'a later receipt' }];
    expect(await verifyAudit(prisma, beyond, { upTo: 12n })).toMatchObject({
      ok: false,
      code: 'AUDIT.TRUNCATED',
      firstBadSeq: '11',
    });
    await prisma.$executeRaw`UPDATE clearing.audit_log SET allow = NOT allow WHERE seq = 8`;
    expect(await verifyAudit(prisma, receipt, { upTo: 5n })).toMatchObject({ ok: true, entries: 5 });
    expect(await verifyAudit(prisma, receipt)).toMatchObject({ ok: false, firstBadSeq: '8' });
    // Within the walk a change is still found.
    await prisma.$executeRaw`UPDATE clearing.audit_log SET allow = NOT allow WHERE seq = 3`;
    expect(await verifyAudit(prisma, receipt, { upTo: 5n })).toMatchObject({
      ok: false,
      code: 'AUDIT.MODIFIED',
      firstBadSeq: '3',
    });
  });

  it('detects a removed entry', async () => {
    await reset();
    await prisma.$executeRaw`DELETE FROM clearing.audit_log WHERE seq = 6`;
    expect(await verifyAudit(prisma)).toMatchObject({
      ok: false,
      code: 'AUDIT.REMOVED',
      firstBadSeq: '6',
      problem: 'entry 6 is missing',
    });
  });

  it('detects a removed entry even when the rest were renumbered', async () => {
    await reset();
    await prisma.$executeRaw`DELETE FROM clearing.audit_log WHERE seq = 6`;
    for (let s = 7; s <= 10; s++)
      await prisma.$executeRaw`UPDATE clearing.audit_log SET seq = ${s - 1} WHERE seq = ${s}`;
    expect(await verifyAudit(prisma)).toMatchObject({ ok: false, code: 'AUDIT.REMOVED', firstBadSeq: '6' });
  });

  it('detects reordered entries, even with their sequence numbers swapped', async () => {
    await reset();
    await prisma.$executeRaw`UPDATE clearing.audit_log SET seq = -2 WHERE seq = 2`;
    await prisma.$executeRaw`UPDATE clearing.audit_log SET seq = 2 WHERE seq = 3`;
    await prisma.$executeRaw`UPDATE clearing.audit_log SET seq = 3 WHERE seq = -2`;
    expect(await verifyAudit(prisma)).toMatchObject({ ok: false, code: 'AUDIT.REORDERED', firstBadSeq: '2' });
  });

  it('signs checkpoints of the head, one per head, and verifies the chain against them', async () => {
    await reset(5);
    const first = await checkpointer.checkpoint();
    expect(first).toMatchObject({ created: true, checkpoint: { seq: 5, entries: 5, kid: 'k1' } });
    expect(await checkpointer.checkpoint()).toMatchObject({ created: false, checkpoint: { seq: 5 } });
    await append(5, 5);
    expect(await checkpointer.checkpoint()).toMatchObject({ created: true, checkpoint: { seq: 10 } });
    expect(await verify()).toMatchObject({ ok: true, entries: 10, checkpointsChecked: 2 });
    const claims = await checkpointer.verifyJws(first.checkpoint!.jws);
    expect(claims).toMatchObject({ seq: 5, entries: 5, iss: issuer, kid: 'k1' });
  });

  it('detects removal of the newest entries (truncation) against a checkpoint', async () => {
    await reset();
    const { checkpoint } = await checkpointer.checkpoint();
    await prisma.$executeRaw`DELETE FROM clearing.audit_log WHERE seq >= 9`;
    // The bare chain still links up: only the checkpoint shows what is gone.
    expect(await verifyAudit(prisma)).toMatchObject({ ok: true, entries: 8 });
    expect(await verify()).toMatchObject({
      ok: false,
      code: 'AUDIT.TRUNCATED',
      firstBadSeq: '9',
      problem: expect.stringContaining('entries 9…10 were removed'),
    });
    // An attacker who also deletes the stored checkpoints is caught by the receipt an originator kept.
    await prisma.$executeRaw`DELETE FROM clearing.audit_checkpoints`;
    expect(await verify()).toMatchObject({ ok: true });
    const receipt = await checkpointer.verifyJws(checkpoint!.jws);
    const withReceipt = combineHeads(
      checkpointer.storedHeads(),
      headsOf([{ seq: BigInt(receipt.seq), hash: receipt.hash, label: 'the supplied checkpoint' }]),
    );
    expect(await verifyAudit(prisma, withReceipt)).toMatchObject({
      ok: false,
      code: 'AUDIT.TRUNCATED',
      firstBadSeq: '9',
    });
    // And no new checkpoint is signed over the truncated chain by a clearing that remembers the old head.
    await expect(checkpointer.checkpoint()).rejects.toMatchObject({ code: 'AUDIT.CHAIN_BROKEN' });
  });

  it('detects a truncated and regrown chain: the hash at the checkpoint differs', async () => {
    await reset(5);
    await checkpointer.checkpoint();
    await append(5, 5);
    await checkpointer.checkpoint();
    await prisma.$executeRaw`DELETE FROM clearing.audit_log WHERE seq >= 8`;
    await append(50, 4);
    expect(await verifyAudit(prisma)).toMatchObject({ ok: true, entries: 11 });
    expect(await verify()).toMatchObject({
      ok: false,
      code: 'AUDIT.MODIFIED',
      firstBadSeq: '6',
      problem: expect.stringContaining('differs from stored checkpoint 10'),
    });
  });

  it('detects modification and reordering before a checkpoint, and a forged checkpoint row', async () => {
    await reset();
    await checkpointer.checkpoint();
    await prisma.$executeRaw`UPDATE clearing.audit_log SET payload = '{"action":"deliver","n":99}' WHERE seq = 3`;
    expect(await verify()).toMatchObject({ ok: false, code: 'AUDIT.MODIFIED', firstBadSeq: '3' });

    await reset();
    await checkpointer.checkpoint();
    await prisma.$executeRaw`UPDATE clearing.audit_log SET seq = -7 WHERE seq = 7`;
    await prisma.$executeRaw`UPDATE clearing.audit_log SET seq = 7 WHERE seq = 8`;
    await prisma.$executeRaw`UPDATE clearing.audit_log SET seq = 8 WHERE seq = -7`;
    expect(await verify()).toMatchObject({ ok: false, code: 'AUDIT.REORDERED', firstBadSeq: '7' });

    await reset();
    await checkpointer.checkpoint();
    await prisma.$executeRaw`UPDATE clearing.audit_checkpoints SET hash = repeat('f', 64)`;
    expect(await verify()).toMatchObject({
      ok: false,
      code: 'AUDIT.CHECKPOINT_INVALID',
      firstBadSeq: '10',
      problem: expect.stringContaining('differs from what it signed'),
    });
  });

  it('signs nothing over entries that no longer verify against the previous checkpoint', async () => {
    await reset(5);
    await checkpointer.checkpoint();
    await append(5, 5);
    await prisma.$executeRaw`UPDATE clearing.audit_log SET allow = NOT allow WHERE seq = 7`;
    await expect(checkpointer.checkpoint()).rejects.toMatchObject({
      code: 'AUDIT.CHAIN_BROKEN',
      message: expect.stringContaining('from seq 7'),
    });
    expect(await prisma.auditCheckpoint.count()).toBe(1);
  });

  it('generates the action, rule and revision of decisions from the payload, as the unit specs assume', async () => {
    await reset(0);
    const decision = (allow: boolean | null, payload: object, kind = 'decision'): AuditAppend => ({
      kind: kind as AuditAppend['kind'],
      at: new Date('2026-11-21T09:00:00Z'),
      actorId: 'p',
      dataset: 'battery.cfp',
      grantId: null,
      allow,
      payload,
    });
    const cases = [
      decision(false, {
        action: 'grant.request',
        reasons: ['PURPOSE.NOT_ALLOWED', 'ROLE.MISSING'],
        rule: 'PURPOSE.NOT_ALLOWED',
        explanations: [{ code: 'PURPOSE.NOT_ALLOWED', message: 'm', params: {} }],
        policyRevision: 'rego-1',
      }),
      decision(true, { action: 'subscribe', reasons: [], rule: 'ALLOW.SUBSCRIBE', policyRevision: 'rego-1' }),
      // Recorded before decisions named their rule: derived as the policy names it now.
      decision(false, { action: 'token.issue', reasons: ['GRANT.EXPIRED', 'GRANT.NOT_ACTIVE'] }),
      decision(true, { action: 'grant.approve', reasons: [] }),
      decision(true, { action: 'aggregate.release' }),
      decision(false, { action: 'deliver', reasons: [] }),
      decision(false, {}),
      decision(false, { code: 'TOKEN.EXPIRED' }, 'security.refusal'),
      decision(true, { jti: 'x' }, 'token.issued'),
    ];
    await prisma.$transaction((tx) => appendAudit(tx, cases));
    const rows = await prisma.auditEntry.findMany({ orderBy: { seq: 'asc' } });
    expect(rows.map((r) => ({ action: r.action, rule: r.rule, policyRevision: r.policyRevision }))).toEqual(
      cases.map((c) => decisionColumns(c.kind, c.allow, c.payload)),
    );
    expect(rows.map((r) => r.rule)).toEqual([
      'PURPOSE.NOT_ALLOWED',
      'ALLOW.SUBSCRIBE',
      'GRANT.EXPIRED',
      'ALLOW.GRANT_APPROVE',
      'ALLOW.AGGREGATE_RELEASE',
      'POLICY.DENIED',
      'POLICY.DENIED',
      null,
      null,
    ]);
    expect(await verifyAudit(prisma)).toMatchObject({ ok: true, entries: cases.length });
    // The columns cannot be written on their own, not even with the append-only trigger disabled.
    await asAttacker();
    await expect(prisma.$executeRaw`UPDATE clearing.audit_log SET rule = 'ALLOW.SUBSCRIBE'`).rejects.toThrow(
      /can only be updated to DEFAULT/,
    );
    // A filter by rule, action or revision with the cursor can use its (column, seq) index.
    for (const [column, index] of [
      ['rule', 'audit_log_rule_seq_idx'],
      ['action', 'audit_log_action_seq_idx'],
      ['policy_revision', 'audit_log_policy_revision_seq_idx'],
    ] as const) {
      const plan = await prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
        return tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
          `EXPLAIN SELECT * FROM clearing.audit_log WHERE ${column} = 'x' AND seq > 1 ORDER BY seq LIMIT 100`,
        );
      });
      expect(plan.map((p) => p['QUERY PLAN']).join('\n'), column).toContain(index);
    }
  });
});
