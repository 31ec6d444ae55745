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
  record: Record<string, unknown>;
  hash: string;
  prevHash: string;
}

/** What usage and the CSV export read from a decision's payload (other kinds have none of it). */
export interface DecisionPayload {
  action?: string;
  reasons?: string[];
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
  // Always a JSON object: appendAudit takes nothing else.
  record: r.payload as Record<string, unknown>,
  hash: r.hash,
  prevHash: r.prevHash,
});

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
