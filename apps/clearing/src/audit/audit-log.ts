import { createHash, randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { DecisionRecordInput } from '#libs/domain';
import type { Prisma, PrismaClient } from '#libs/persistence';

export type AuditKind = 'decision' | 'token.issued' | 'grant.changed';

export interface AuditAppend {
  id?: string;
  kind: AuditKind;
  at: Date;
  actorId: string;
  dataset: string | null;
  grantId: string | null;
  allow: boolean | null;
  payload: unknown;
}

export const GENESIS_HASH = '0'.repeat(64);

/** The hashed content of an entry: everything but the hash itself, canonical JSON (RFC 8785). */
export function entryHash(
  prevHash: string,
  e: Omit<AuditAppend, 'id' | 'kind'> & { seq: bigint; id: string; kind: string },
): string {
  const body = canonicalize({
    seq: e.seq.toString(),
    id: e.id,
    kind: e.kind,
    at: e.at.toISOString(),
    actorId: e.actorId,
    dataset: e.dataset,
    grantId: e.grantId,
    allow: e.allow,
    payload: e.payload,
  });
  return createHash('sha256')
    .update(prevHash)
    .update(body ?? '')
    .digest('hex');
}

/**
 * Append-only, hash-chained audit log. Appends are serialised by a transaction-scoped advisory lock, so
 * the chain has no forks; they run inside the caller's transaction, so a state change and its record
 * commit together or not at all.
 */
export async function appendAudit(tx: Prisma.TransactionClient, entries: AuditAppend[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('renkei.audit'))`;
  const last = await tx.auditEntry.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  let seq = last?.seq ?? 0n;
  let prevHash = last?.hash ?? GENESIS_HASH;
  const rows = [];
  for (const e of entries) {
    seq += 1n;
    const id = e.id ?? randomUUID();
    const hash = entryHash(prevHash, { ...e, seq, id });
    rows.push({
      seq,
      id,
      kind: e.kind,
      at: e.at,
      actorId: e.actorId,
      dataset: e.dataset,
      grantId: e.grantId,
      allow: e.allow,
      payload: e.payload as Prisma.InputJsonValue,
      prevHash,
      hash,
    });
    prevHash = hash;
  }
  await tx.auditEntry.createMany({ data: rows });
}

export function decisionEntry(record: DecisionRecordInput): AuditAppend {
  return {
    id: record.decisionId,
    kind: 'decision',
    at: new Date(record.decidedAt),
    actorId: record.requestedBy,
    dataset: record.dataset,
    grantId: record.grantId,
    allow: record.allow,
    payload: record,
  };
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  head: string;
  firstBadSeq: string | null;
  problem: string | null;
}

/** Recomputes the chain from the start: detects modified, reordered and removed entries. */
export async function verifyAudit(prisma: PrismaClient): Promise<VerifyResult> {
  let prevHash = GENESIS_HASH;
  let expected = 1n;
  let cursor: bigint | undefined;
  let count = 0;
  for (;;) {
    const page = await prisma.auditEntry.findMany({
      where: cursor ? { seq: { gt: cursor } } : {},
      orderBy: { seq: 'asc' },
      take: 1000,
    });
    for (const e of page) {
      const bad = (problem: string): VerifyResult => ({
        ok: false,
        entries: count,
        head: prevHash,
        firstBadSeq: e.seq.toString(),
        problem,
      });
      if (e.seq !== expected) return bad(`entry ${expected} is missing`);
      if (e.prevHash !== prevHash)
        return bad('previous-hash link is broken (an entry was removed or reordered)');
      if (entryHash(prevHash, e) !== e.hash)
        return bad('content does not match its hash (the entry was modified)');
      prevHash = e.hash;
      expected += 1n;
      count += 1;
    }
    if (page.length < 1000) break;
    cursor = page[page.length - 1]!.seq;
  }
  return { ok: true, entries: count, head: prevHash, firstBadSeq: null, problem: null };
}
