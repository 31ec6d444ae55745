import { randomUUID } from 'node:crypto';
import type { GrantState } from '@renkei/domain';
import type { DeletionObligationModel, GrantModel, Prisma } from '@renkei/persistence';
import { appendAudit, type AuditAppend, type AuditKind } from '../audit/audit-log.js';
import type { DeletionObligationDto } from './deletion.dto.js';

export const DAY_MS = 86_400_000;

/** The clearing service itself, as the actor of what happens by time alone (expiry, overdue flags). */
export const SYSTEM_ACTOR = 'renkei-clearing';

export type DeletionCause = 'revoked' | 'expired';
export type DeletionStatus = 'open' | 'confirmed' | 'overdue';
export type DeletionAuditKind = Extract<
  AuditKind,
  'deletion.obligation' | 'deletion.receipt' | 'deletion.overdue'
>;

/** States in which the consumer may have received data: only ending one of them leaves something to delete. */
const held: ReadonlySet<string> = new Set<GrantState>(['granted', 'suspended']);

/**
 * When a grant ended: a revocation at the moment it is made, an expiry at the end of the validity (the
 * policy refuses every use from `validUntil` on, however late the sweeper notices).
 */
export function grantEndedAt(grant: Pick<GrantModel, 'validUntil'>, cause: DeletionCause, now: Date): Date {
  if (cause === 'expired' && grant.validUntil && grant.validUntil.getTime() <= now.getTime()) {
    return grant.validUntil;
  }
  return now;
}

/** The deadline: `deletionDays` full days after the grant ended (0 = at once). */
export function deletionDueAt(endedAt: Date, deletionDays: number): Date {
  return new Date(endedAt.getTime() + deletionDays * DAY_MS);
}

/** Audit entries of the deletion lifecycle. */
export function deletionEntry(
  kind: DeletionAuditKind,
  at: Date,
  actorId: string,
  obligation: Pick<DeletionObligationModel, 'dataset' | 'grantId'>,
  payload: Record<string, unknown>,
): AuditAppend {
  return {
    kind,
    at,
    actorId,
    dataset: obligation.dataset,
    grantId: obligation.grantId,
    allow: null,
    payload,
  };
}

/**
 * Opens the consumer's deletion obligation when a grant it held ends, in the transaction that ends it.
 * A request revoked or rejected before approval gave the consumer nothing, so it owes nothing.
 * Returns the obligation, or null when none is owed.
 */
export async function openDeletionObligation(
  tx: Prisma.TransactionClient,
  before: GrantModel,
  to: GrantState,
  actorId: string,
  now: Date,
): Promise<DeletionObligationModel | null> {
  if ((to !== 'revoked' && to !== 'expired') || !held.has(before.state)) return null;
  const cause: DeletionCause = to;
  const endedAt = grantEndedAt(before, cause, now);
  const dueAt = deletionDueAt(endedAt, before.deletionDays);
  const obligation = await tx.deletionObligation.create({
    data: {
      id: randomUUID(),
      grantId: before.id,
      consumerId: before.consumerId,
      originatorId: before.originatorId,
      dataset: before.dataset,
      cause,
      dueAt,
      status: 'open',
      createdAt: now,
    },
  });
  await appendAudit(tx, [
    deletionEntry('deletion.obligation', now, actorId, obligation, {
      obligationId: obligation.id,
      consumer: obligation.consumerId,
      originator: obligation.originatorId,
      cause,
      endedAt: endedAt.toISOString(),
      deletionDays: before.deletionDays,
      dueAt: dueAt.toISOString(),
    }),
  ]);
  return obligation;
}

export function toObligationDto(o: DeletionObligationModel): DeletionObligationDto {
  return {
    id: o.id,
    grant: o.grantId,
    consumer: o.consumerId,
    originator: o.originatorId,
    dataset: o.dataset,
    cause: o.cause as DeletionCause,
    dueAt: o.dueAt.toISOString(),
    status: o.status as DeletionStatus,
    late: o.flaggedAt !== null,
    flaggedAt: o.flaggedAt?.toISOString() ?? null,
    confirmedAt: o.confirmedAt?.toISOString() ?? null,
    receipt: o.receipt
      ? { jws: o.receipt, claims: o.receiptClaims as NonNullable<DeletionObligationDto['receipt']>['claims'] }
      : null,
    createdAt: o.createdAt.toISOString(),
  };
}
