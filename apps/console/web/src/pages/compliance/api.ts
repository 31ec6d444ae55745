/**
 * The compliance officer's reads of the clearing service's audit API: the entries (decisions, security
 * refusals and every other kind), one entry in full, and the shapes the pages show.
 */
import type { Api, Query } from '../../api/client';
import type { Explanation } from '../../api/problem';

/** An audit entry as GET /audit/entries answers it. */
export interface AuditEntry {
  seq: number;
  id: string;
  kind: string;
  at: string;
  actor: string;
  dataset: string | null;
  grant: string | null;
  allow: boolean | null;
  record: Record<string, unknown>;
  hash: string;
  prevHash: string;
  /**
   * Decisions (null for other kinds): the policy action, the deciding rule, its explanation in English and
   * the policy revision. Entries from before these fields are read from `record`.
   */
  action?: string | null;
  rule?: string | null;
  explanation?: string | null;
  policyRevision?: string | null;
}

export interface AuditPage {
  items: AuditEntry[];
  next: number | null;
}

/**
 * What the explorer keeps of each entry: a few short strings, so 100,000 rows stay small in memory. The
 * drawer reads the whole entry when it opens.
 */
export interface EntryRow {
  seq: number;
  kind: string;
  /** Epoch milliseconds (a number: 100,000 of them cost the garbage collector nothing to walk). */
  at: number;
  actor: string;
  dataset: string | null;
  allow: boolean | null;
  /** Decisions: the policy action (grant.request, deliver, …). */
  action: string | null;
  /** Decisions: the deciding rule; security refusals: the stable code. */
  rule: string | null;
  purpose: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The rule that decided: the entry's own, the record's, else what the policy names for old records. */
export function ruleOf(e: Pick<AuditEntry, 'kind' | 'allow' | 'record' | 'rule'>): string | null {
  const r = e.record;
  if (e.kind === 'security.refusal') return str(r.code);
  if (e.kind !== 'decision') return null;
  const named = str(e.rule) ?? str(r.rule);
  if (named) return named;
  if (e.allow) {
    const action = str(r.action);
    return action ? `ALLOW.${action.replace(/[.-]/g, '_').toUpperCase()}` : null;
  }
  return Array.isArray(r.reasons) && typeof r.reasons[0] === 'string' ? r.reasons[0] : null;
}

/** Why, one per reason (the record's explanations), else the entry's one English sentence. */
export function explanationsOf(e: AuditEntry): Explanation[] {
  const list = e.record.explanations;
  const found = Array.isArray(list)
    ? (list as unknown[]).filter(
        (x): x is Explanation => !!x && typeof x === 'object' && typeof (x as Explanation).code === 'string',
      )
    : [];
  if (found.length === 0 && e.explanation)
    return [{ code: ruleOf(e) ?? 'POLICY.DENIED', message: e.explanation }];
  return found;
}

export function purposeOf(e: AuditEntry): string | null {
  const input = obj(e.record.input);
  return str(input.purpose) ?? str(obj(input.grant).purpose) ?? str(obj(e.record.grant).purpose);
}

/**
 * Repeated strings (actors, datasets, actions, rules, purposes) shared by every row that names them: the
 * JSON parser makes a new string per occurrence, and 100,000 rows of copies keep the heap (and each garbage
 * collection) large.
 */
const interned = new Map<string, string>();
function intern(v: string | null): string | null {
  if (v === null) return null;
  const found = interned.get(v);
  if (found !== undefined) return found;
  if (interned.size > 50_000) interned.clear();
  interned.set(v, v);
  return v;
}

export const toRow = (e: AuditEntry): EntryRow => ({
  seq: e.seq,
  kind: intern(e.kind)!,
  at: Date.parse(e.at),
  actor: intern(e.actor)!,
  dataset: intern(e.dataset),
  allow: e.allow,
  action: intern(e.kind === 'decision' ? (str(e.action) ?? str(e.record.action)) : null),
  rule: intern(ruleOf(e)),
  purpose: intern(e.kind === 'decision' ? purposeOf(e) : null),
});

/** The largest page the API serves. */
export const PAGE_SIZE = 500;

export async function entryPage(api: Api, query: Query, after: number | undefined, signal?: AbortSignal) {
  const page = await api.get<AuditPage>('clearing', '/audit/entries', {
    query: { ...query, after, limit: PAGE_SIZE },
    signal,
  });
  return { rows: page.items.map(toRow), next: page.next };
}

/** One entry in full, by its seq (the page of one entry after seq − 1, whatever its kind). */
export async function entryAt(api: Api, seq: number, signal?: AbortSignal): Promise<AuditEntry | null> {
  const page = await api.get<AuditPage>('clearing', '/audit/entries', {
    query: { after: seq - 1, limit: 1 },
    signal,
  });
  const found = page.items[0];
  return found && found.seq === seq ? found : null;
}

export interface VerifyReport {
  ok: boolean;
  entries: number;
  head: string;
  firstBadSeq: string | null;
  code: string | null;
  problem: string | null;
  checkpointsChecked: number;
  latestCheckpoint: { seq: number; hash: string; kid: string; createdAt: string } | null;
  supplied: { seq: number; hash: string; kid: string; iat: number } | null;
}

export interface Checkpoint {
  seq: number;
  hash: string;
  entries: number;
  kid: string;
  jws: string;
  createdAt: string;
}

export interface DeletionObligation {
  id: string;
  grant: string;
  consumer: string;
  originator: string;
  dataset: string;
  cause: 'revoked' | 'expired';
  dueAt: string;
  status: 'open' | 'confirmed' | 'overdue';
  late: boolean;
  flaggedAt: string | null;
  confirmedAt: string | null;
  receipt: { jws: string; claims: Record<string, unknown> } | null;
  createdAt: string;
}

export type ConsentDecision = 'permit' | 'deny' | 'withdrawn';

export interface ConsentOverview {
  counts: {
    originator: string;
    originatorName: string | null;
    dataset: string;
    decision: ConsentDecision;
    count: number;
  }[];
  total: number;
  items: {
    originator: string;
    originatorName: string | null;
    subjectRef: string;
    dataset: string;
    decision: ConsentDecision;
    source: 'fhir' | 'opt-out' | 'erasure' | 'other';
    provisions: number;
    validFrom: string | null;
    validUntil: string | null;
    inForce: boolean;
    recordedAt: string;
  }[];
  next: string | null;
}
