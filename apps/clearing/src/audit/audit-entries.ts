import type { Prisma, PrismaClient } from '@renkei/persistence';

/** A grant id as stored: entries of other services may carry anything there, only UUIDs are looked up. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type AuditRow = Prisma.AuditEntryGetPayload<object>;

/** An entry as the compliance API answers it (page, JSON and NDJSON export). */
export interface AuditItem {
  seq: number;
  id: string;
  kind: string;
  at: string;
  actor: string;
  dataset: string | null;
  grant: string | null;
  allow: boolean | null;
  /** Decisions: the policy action decided; null for other kinds. */
  action: string | null;
  /** Decisions: the rule that decided (a deny's first reason, ALLOW.<ACTION>); null for other kinds. */
  rule: string | null;
  /** Decisions: the rule's explanation in English; null for other kinds (and decisions recorded before it). */
  explanation: string | null;
  /** Decisions: the policy bundle revision that decided; null for other kinds. */
  policyRevision: string | null;
  record: Record<string, unknown>;
  hash: string;
  prevHash: string;
}

/** What usage and the CSV export read from a decision's payload (other kinds have none of it). */
export interface DecisionPayload {
  action?: string;
  reasons?: string[];
  rule?: string;
  explanations?: { code?: string; message?: string }[];
  policyRevision?: string;
  eventIds?: unknown;
  input?: { purpose?: string | null; grant?: { purpose?: string } | null };
  grant?: { purpose?: string };
}

export const item = (r: AuditRow): AuditItem => ({
  seq: Number(r.seq),
  id: r.id,
  kind: r.kind,
  at: r.at.toISOString(),
  actor: r.actorId,
  dataset: r.dataset,
  grant: r.grantId,
  allow: r.allow,
  action: r.action,
  rule: r.rule,
  explanation: explanationOf(r),
  policyRevision: r.policyRevision,
  // Always a JSON object: appendAudit takes nothing else.
  record: r.payload as Record<string, unknown>,
  hash: r.hash,
  prevHash: r.prevHash,
});

/**
 * The columns PostgreSQL generates for an entry from its payload (migration
 * 20261202131300_indexed_audit_decisions_by_action_rule_revision), for decisions only: the action, the
 * rule (as recorded; for a decision recorded before decisions named their rule, the first reason of a deny
 * or ALLOW.<ACTION>) and the policy revision. The in-memory store of the unit specs generates them with
 * this; an integration test keeps it equal to the database's.
 */
export function decisionColumns(
  kind: string,
  allow: boolean | null,
  payload: unknown,
): { action: string | null; rule: string | null; policyRevision: string | null } {
  if (kind !== 'decision') return { action: null, rule: null, policyRevision: null };
  const p = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  const text = (v: unknown): string | null =>
    typeof v === 'string' ? v : v === null || v === undefined ? null : JSON.stringify(v);
  const action = text(p.action);
  const first = Array.isArray(p.reasons) ? text(p.reasons[0]) : null;
  const derived = allow
    ? action === null
      ? null
      : `ALLOW.${action.replace(/[.-]/g, '_').toUpperCase()}`
    : (first ?? 'POLICY.DENIED');
  return { action, rule: text(p.rule) ?? derived, policyRevision: text(p.policyRevision) };
}

/** A decision's first explanation (its rule's), as recorded; null for other kinds and older decisions. */
export function explanationOf(r: Pick<AuditRow, 'kind' | 'payload'>): string | null {
  if (r.kind !== 'decision') return null;
  const first = (r.payload as DecisionPayload | null)?.explanations?.[0];
  return typeof first?.message === 'string' ? first.message : null;
}

/** Events a delivery decision covered. */
export function eventCount(p: DecisionPayload): number | null {
  return Array.isArray(p.eventIds) ? p.eventIds.length : null;
}

/** The purpose of a use: the grant's (from the database), else what the decision's input names. */
export function purposeOf(p: DecisionPayload, grantPurpose: string | undefined): string | null {
  return grantPurpose ?? p.input?.grant?.purpose ?? p.input?.purpose ?? p.grant?.purpose ?? null;
}

/** The purposes of the grants the rows name, read in one query. */
export async function grantPurposes(
  prisma: Pick<PrismaClient, 'grant'>,
  rows: Pick<AuditRow, 'grantId'>[],
): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => r.grantId).filter((g): g is string => !!g && UUID.test(g)))];
  if (ids.length === 0) return new Map();
  const grants = await prisma.grant.findMany({
    where: { id: { in: ids } },
    select: { id: true, purpose: true },
  });
  return new Map(grants.map((g) => [g.id, g.purpose]));
}
