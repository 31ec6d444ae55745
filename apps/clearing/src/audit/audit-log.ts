import { createHash, randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { DecisionRecordInput, RefusalRecord } from '@renkei/domain';
import type { Prisma, PrismaClient } from '@renkei/persistence';

export type AuditKind =
  | 'decision'
  | 'token.issued'
  | 'grant.changed'
  | 'consent.person'
  | 'key.released'
  | 'key.destroyed'
  | 'deletion.obligation'
  | 'deletion.receipt'
  | 'deletion.overdue'
  | 'signing-key.changed'
  | 'kek.rotated'
  | 'security.refusal'
  | 'outbox.dead-letter'
  | 'dsp.negotiation.changed'
  | 'dsp.transfer.changed'
  | 'dsp.callback.dead'
  | 'dsp.peer.changed';

export interface AuditAppend {
  id?: string;
  kind: AuditKind;
  at: Date;
  actorId: string;
  dataset: string | null;
  grantId: string | null;
  allow: boolean | null;
  /** A JSON object: the compliance API answers it as the entry's `record` (AuditEntrySchema). */
  payload: object;
}

export const GENESIS_HASH = '0'.repeat(64);

/** The hashed content of an entry: everything but the hash itself, canonical JSON (RFC 8785). */
export function entryHash(
  prevHash: string,
  // `payload: unknown`: verification hashes stored rows as they are, whatever was done to them.
  e: Omit<AuditAppend, 'id' | 'kind' | 'payload'> & {
    seq: bigint;
    id: string;
    kind: string;
    payload: unknown;
  },
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

/**
 * An aggregated security refusal (ADR 0018). The actor is the verified participant, or `unauthenticated`
 * when authentication itself failed (what the token claimed is in the payload, marked unverified): a
 * forged token in someone's name never shows up as that participant's own action.
 */
export function refusalEntry(record: RefusalRecord): AuditAppend {
  return {
    id: record.id,
    kind: 'security.refusal',
    at: new Date(record.lastAt),
    actorId: record.participant ?? 'unauthenticated',
    // Targets stay in the payload: on the dataset column the probe would join the owner's receipts.
    dataset: null,
    grantId: null,
    allow: false,
    payload: record,
  };
}

/** Stable codes for what a verification found; each names the first bad seq. */
export type AuditProblemCode =
  'AUDIT.MODIFIED' | 'AUDIT.REORDERED' | 'AUDIT.REMOVED' | 'AUDIT.TRUNCATED' | 'AUDIT.CHECKPOINT_INVALID';

/** A head the chain must reproduce: a signed checkpoint (stored, or a receipt a client kept). */
export interface ExpectedHead {
  seq: bigint;
  hash: string;
  /** How the finding names it, e.g. `checkpoint 42 (kid …)`. */
  label: string;
  /** Set when the checkpoint itself is not genuine (bad signature, altered row): why. */
  invalid?: string;
}

/** Expected heads, read in step with the chain (stored checkpoints may be many). */
export interface HeadSource {
  /** The heads with from ≤ seq ≤ to. */
  between(from: bigint, to: bigint): Promise<ExpectedHead[]>;
  /** The head with the greatest seq ≥ from, if any (a chain ending before it was truncated). */
  beyond(from: bigint): Promise<ExpectedHead | null>;
}

export function headsOf(heads: readonly ExpectedHead[]): HeadSource {
  return {
    between: (from, to) => Promise.resolve(heads.filter((h) => h.seq >= from && h.seq <= to)),
    beyond: (from) =>
      Promise.resolve(
        heads.filter((h) => h.seq >= from).sort((a, b) => (b.seq > a.seq ? 1 : b.seq < a.seq ? -1 : 0))[0] ??
          null,
      ),
  };
}

export function combineHeads(...sources: HeadSource[]): HeadSource {
  return {
    between: async (from, to) => (await Promise.all(sources.map((s) => s.between(from, to)))).flat(),
    beyond: async (from) => {
      const found = (await Promise.all(sources.map((s) => s.beyond(from)))).filter(
        (h): h is ExpectedHead => h !== null,
      );
      return found.sort((a, b) => (b.seq > a.seq ? 1 : b.seq < a.seq ? -1 : 0))[0] ?? null;
    },
  };
}

export interface VerifyResult {
  ok: boolean;
  /** Entries that verified (all of them when ok). */
  entries: number;
  /** The hash of the last entry that verified. */
  head: string;
  /** The first seq that is wrong, missing or out of place (for a rewritten range: its lower bound). */
  firstBadSeq: string | null;
  code: AuditProblemCode | null;
  problem: string | null;
  /** Checkpoints the chain was checked against. */
  checkpointsChecked: number;
}

const PAGE = 1000;

/**
 * Recomputes the chain from the start and compares it with every expected head (signed checkpoints):
 * - an entry whose content no longer matches its hash: AUDIT.MODIFIED at that seq;
 * - a gap in the numbering: AUDIT.REMOVED at the missing seq;
 * - an entry that links to another entry than its predecessor while that entry is still in the table
 *   (moved): AUDIT.REORDERED;
 * - a link to an entry that is nowhere: if the entry still matches its own hash, its predecessor was
 *   rewritten with a recomputed hash (AUDIT.MODIFIED at the predecessor); if not, entries before it were
 *   removed and the rest renumbered (AUDIT.REMOVED at it);
 * - a chain that ends before a checkpoint's seq (newest entries removed): AUDIT.TRUNCATED at the first
 *   missing seq — a bare hash chain cannot see this; only a checkpoint can;
 * - a chain whose hash at a checkpoint's seq differs (rewritten consistently): AUDIT.MODIFIED, the first
 *   bad seq being the first one after the last checkpoint that still matched.
 */
export async function verifyAudit(
  prisma: PrismaClient,
  expected: readonly ExpectedHead[] | HeadSource = [],
  options: { upTo?: bigint } = {},
): Promise<VerifyResult> {
  // `upTo`: walk entries 1…upTo only (a receipt's checkpoint); entries after it are neither read nor judged.
  const { upTo } = options;
  const source = Array.isArray(expected) ? headsOf(expected) : (expected as HeadSource);
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1n;
  let cursor: bigint | undefined;
  let count = 0;
  let checked = 0;
  let lastGood = 0n;
  const fail = (code: AuditProblemCode, seq: bigint, problem: string): VerifyResult => ({
    ok: false,
    entries: count,
    head: prevHash,
    firstBadSeq: seq.toString(),
    code,
    problem,
    checkpointsChecked: checked,
  });
  for (;;) {
    const page = await prisma.auditEntry.findMany({
      where: {
        ...(cursor !== undefined || upTo !== undefined
          ? {
              seq: {
                ...(cursor !== undefined ? { gt: cursor } : {}),
                ...(upTo !== undefined ? { lte: upTo } : {}),
              },
            }
          : {}),
      },
      orderBy: { seq: 'asc' },
      take: PAGE,
    });
    const heads = new Map<bigint, ExpectedHead[]>();
    if (page.length > 0) {
      for (const h of await source.between(page[0]!.seq, page[page.length - 1]!.seq))
        heads.set(h.seq, [...(heads.get(h.seq) ?? []), h]);
    }
    for (const e of page) {
      if (e.seq !== expectedSeq) {
        return fail('AUDIT.REMOVED', expectedSeq, `entry ${expectedSeq} is missing`);
      }
      if (e.prevHash !== prevHash) {
        const elsewhere = await prisma.auditEntry.findFirst({
          where: { hash: e.prevHash, seq: { not: e.seq } },
          select: { seq: true },
        });
        if (elsewhere) {
          return fail(
            'AUDIT.REORDERED',
            e.seq,
            `entry ${e.seq} follows entry ${elsewhere.seq}, not entry ${e.seq - 1n}: entries were reordered`,
          );
        }
        if (entryHash(e.prevHash, e) !== e.hash) {
          return fail(
            'AUDIT.REMOVED',
            e.seq,
            `entry ${e.seq} neither links to entry ${e.seq - 1n} nor matches its hash: entries before it were removed and the rest renumbered (or it was modified)`,
          );
        }
        const at = e.seq > 1n ? e.seq - 1n : e.seq;
        return fail(
          'AUDIT.MODIFIED',
          at,
          `entry ${e.seq} does not link to entry ${at}: entry ${at} was rewritten (hash recomputed), or entries were removed and renumbered`,
        );
      }
      if (entryHash(prevHash, e) !== e.hash) {
        return fail('AUDIT.MODIFIED', e.seq, `entry ${e.seq} does not match its hash: it was modified`);
      }
      prevHash = e.hash;
      for (const h of heads.get(e.seq) ?? []) {
        checked += 1;
        if (h.invalid)
          return fail('AUDIT.CHECKPOINT_INVALID', e.seq, `${h.label} is not genuine: ${h.invalid}`);
        if (h.hash !== e.hash) {
          return fail(
            'AUDIT.MODIFIED',
            lastGood + 1n,
            `the chain at seq ${e.seq} differs from ${h.label}: entries ${lastGood + 1n}…${e.seq} were rewritten`,
          );
        }
        lastGood = e.seq;
      }
      expectedSeq += 1n;
      count += 1;
    }
    if (page.length < PAGE) break;
    cursor = page[page.length - 1]!.seq;
  }
  // Walking up to a seq, heads beyond it say nothing unless the chain ends before it.
  const beyond = upTo === undefined || expectedSeq <= upTo ? await source.beyond(expectedSeq) : null;
  if (beyond) {
    checked += 1;
    if (beyond.invalid) {
      return fail(
        'AUDIT.CHECKPOINT_INVALID',
        beyond.seq,
        `${beyond.label} is not genuine: ${beyond.invalid}`,
      );
    }
    return fail(
      'AUDIT.TRUNCATED',
      expectedSeq,
      `the chain ends at seq ${expectedSeq - 1n} but ${beyond.label} covers ${beyond.seq} entries: entries ${expectedSeq}…${beyond.seq} were removed`,
    );
  }
  return {
    ok: true,
    entries: count,
    head: prevHash,
    firstBadSeq: null,
    code: null,
    problem: null,
    checkpointsChecked: checked,
  };
}

/**
 * Checks entries `(from.seq, to]` against a head already verified (the last checkpoint): links and hashes
 * only, so a new checkpoint never vouches for entries changed since the previous one.
 */
export async function verifySegment(
  prisma: PrismaClient,
  from: { seq: bigint; hash: string },
  toSeq: bigint,
): Promise<{ ok: true; head: { seq: bigint; hash: string } } | { ok: false; seq: bigint; problem: string }> {
  let prevHash = from.hash;
  let expectedSeq = from.seq + 1n;
  while (expectedSeq <= toSeq) {
    const page = await prisma.auditEntry.findMany({
      where: { seq: { gte: expectedSeq, lte: toSeq } },
      orderBy: { seq: 'asc' },
      take: PAGE,
    });
    if (page.length === 0) return { ok: false, seq: expectedSeq, problem: `entry ${expectedSeq} is missing` };
    for (const e of page) {
      if (e.seq !== expectedSeq)
        return { ok: false, seq: expectedSeq, problem: `entry ${expectedSeq} is missing` };
      if (e.prevHash !== prevHash || entryHash(prevHash, e) !== e.hash)
        return {
          ok: false,
          seq: e.seq,
          problem: `entry ${e.seq} does not verify against the last checkpoint`,
        };
      prevHash = e.hash;
      expectedSeq += 1n;
    }
  }
  return { ok: true, head: { seq: toSeq, hash: prevHash } };
}
