import { HISTORY_ALL, type GrantState, type GrantView } from '@renkei/domain';
import type { PrismaClient } from '@renkei/persistence';
import type { GrantDto } from './grants.dto.js';

export type GrantRow = Awaited<ReturnType<PrismaClient['grant']['findUniqueOrThrow']>>;

/** A grant as events and policy inputs carry it. */
export function toView(g: GrantRow): GrantView {
  return {
    id: g.id,
    state: g.state as GrantState,
    originator: g.originatorId,
    consumer: g.consumerId,
    dataset: g.dataset,
    purpose: g.purpose,
    fields: (g.fields as string[] | null) ?? null,
    validFrom: g.validFrom.toISOString(),
    validUntil: g.validUntil?.toISOString() ?? null,
    deletionDays: g.deletionDays,
    onwardTransfer: g.onwardTransfer,
    historyFrom: historyOf(g.historyFrom),
    changedAt: g.updatedAt.toISOString(),
  };
}

/** Epoch 0 in the database is the term 'all'. */
const historyOf = (at: Date | null): string | null =>
  at === null ? null : at.getTime() === 0 ? HISTORY_ALL : at.toISOString();
export const historyAt = (term: string): Date => (term === HISTORY_ALL ? new Date(0) : new Date(term));

/** A grant as the HTTP API answers it. */
export function toDto(g: GrantRow): GrantDto {
  const { changedAt: _c, ...view } = toView(g);
  return {
    ...view,
    onwardTransfer: g.onwardTransfer,
    deletionDays: g.deletionDays,
    historyFrom: historyOf(g.historyFrom),
    historyRequested: g.historyRequested,
    createdAt: g.createdAt.toISOString(),
    updatedAt: g.updatedAt.toISOString(),
  };
}
