/**
 * Checkpoints anchored outside the audit tables: each new checkpoint goes, in the transaction that stores
 * it, to the outbox for the Kafka checkpoint topic and to every originator's notification feed; verify
 * then detects the newest entries deleted together with the stored checkpoint (issue 10, item 6).
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock, Topics } from '@renkei/domain';
import { KeyRing, generatePrivateJwk, toSigningKey } from '@renkei/auth';
import { createPrisma, type PrismaClient } from '@renkei/persistence';
import {
  appendAudit,
  combineHeads,
  verifyAudit,
  type AuditAppend,
} from '../../apps/clearing/src/audit/audit-log.js';
import { AuditCheckpointer, CHECKPOINT_NOTIFICATION } from '../../apps/clearing/src/audit/checkpoints.js';
import { freshDatabase } from '../support/database.js';

const root = new URL('../..', import.meta.url).pathname;
const entry = (i: number): AuditAppend => ({
  kind: 'decision',
  at: new Date(Date.UTC(2026, 11, 2, 9, 0, i)),
  actorId: 'participant-1',
  dataset: 'battery.cfp',
  grantId: null,
  allow: true,
  payload: { n: i },
});

describe('audit checkpoints anchored outside the database', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let prisma: PrismaClient;
  let checkpointer: AuditCheckpointer;
  const originators = [randomUUID(), randomUUID()];
  let onKafka: string | null = null;

  beforeAll(async () => {
    db = await freshDatabase(root, 'anchors');
    prisma = createPrisma(db.url);
    const k = await toSigningKey(await generatePrivateJwk('k1'));
    const at = new Date('2026-12-02T09:00:00Z');
    const ring = new KeyRing([
      { ...k, kid: 'k1', state: 'active', createdAt: at, activatedAt: at, retiredAt: null },
    ]);
    checkpointer = new AuditCheckpointer(
      prisma,
      ring,
      'urn:renkei:clearing',
      new FixedClock(new Date('2026-12-02T10:00:00Z')),
      pino({ level: 'silent' }),
      { originators: () => originators, newestOnKafka: () => onKafka },
    );
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  const append = (from: number, n: number) =>
    prisma.$transaction((tx) =>
      appendAudit(
        tx,
        Array.from({ length: n }, (_, i) => entry(from + i)),
      ),
    );
  const verify = async () =>
    verifyAudit(prisma, combineHeads(checkpointer.storedHeads(), await checkpointer.anchoredHeads()));

  it('anchors each new checkpoint on the outbox and in every originator feed, and still verifies', async () => {
    await append(1, 5);
    const first = (await checkpointer.checkpoint()).checkpoint!;
    await append(6, 5);
    const second = (await checkpointer.checkpoint()).checkpoint!;
    const outbox = await prisma.clearingOutbox.findMany({ where: { topic: Topics.auditCheckpoints } });
    expect(outbox.map((r) => (r.value as { seq: number }).seq)).toEqual([first.seq, second.seq]);
    // One row per originator, holding the newest checkpoint only.
    const feeds = await prisma.notification.findMany({ where: { kind: CHECKPOINT_NOTIFICATION } });
    expect(feeds.map((f) => f.participantId).sort()).toEqual([...originators].sort());
    expect(feeds.every((f) => f.reason === second.jws)).toBe(true);
    onKafka = (outbox[1]!.value as { jws: string }).jws;
    expect(await verify()).toMatchObject({ ok: true, entries: 10 });
  });

  it('detects the newest entries deleted together with the stored checkpoint, from Kafka or a feed', async () => {
    await prisma.$executeRaw`ALTER TABLE clearing.audit_log DISABLE TRIGGER USER`;
    await prisma.$executeRaw`ALTER TABLE clearing.audit_checkpoints DISABLE TRIGGER USER`;
    await prisma.$executeRaw`DELETE FROM clearing.audit_log WHERE seq > 5`;
    await prisma.$executeRaw`DELETE FROM clearing.audit_checkpoints WHERE seq > 5`;
    // What the database alone says is consistent: this is the attack anchoring exists for.
    expect(await verifyAudit(prisma, checkpointer.storedHeads())).toMatchObject({ ok: true, entries: 5 });
    // The originators' feeds still hold the checkpoint...
    const fromFeed = await verify();
    expect(fromFeed).toMatchObject({ ok: false, code: 'AUDIT.TRUNCATED' });
    expect(fromFeed.problem).toMatch(/notification feed|anchored on Kafka/);
    // ...and with the feed rows gone too, the copy on Kafka does.
    await prisma.$executeRaw`DELETE FROM clearing.notifications WHERE kind = ${CHECKPOINT_NOTIFICATION}`;
    const fromKafka = await verify();
    expect(fromKafka).toMatchObject({ ok: false, code: 'AUDIT.TRUNCATED' });
    expect(fromKafka.problem).toMatch(/anchored on Kafka/);
  });
});
