import { conflict } from './errors.js';

/**
 * A grant is the originator's consent for one consumer to use one dataset for one purpose.
 * States carry gapped codes (room for states to come) and transitions are guarded: an illegal move throws.
 */
export const GrantStates = {
  requested: 100,
  granted: 200,
  suspended: 300,
  revoked: 800,
  expired: 900,
  rejected: 1000,
} as const;

export type GrantState = keyof typeof GrantStates;

export const finalGrantStates: ReadonlySet<GrantState> = new Set(['revoked', 'expired', 'rejected']);

const allowed: Record<GrantState, readonly GrantState[]> = {
  requested: ['granted', 'rejected', 'revoked'],
  granted: ['suspended', 'revoked', 'expired'],
  suspended: ['granted', 'revoked', 'expired'],
  revoked: [],
  expired: [],
  rejected: [],
};

export function canTransition(from: GrantState, to: GrantState): boolean {
  return allowed[from].includes(to);
}

export function assertTransition(from: GrantState, to: GrantState): void {
  if (!canTransition(from, to)) {
    throw conflict(
      'GRANT.ILLEGAL_TRANSITION',
      `A grant in state '${from}' cannot become '${to}'`,
      allowed[from].length > 0
        ? `From '${from}' a grant can become: ${allowed[from].join(', ')}`
        : `'${from}' is final: request a new grant instead`,
    );
  }
}

export function isGrantState(value: string): value is GrantState {
  return Object.hasOwn(GrantStates, value);
}

/** A grant's history term that covers everything still on the topic. */
export const HISTORY_ALL = 'all';

/**
 * Epoch ms from which a grant covers the topic: events published before it are withheld. 'all' is 0. A
 * grant without the term (an event from before it existed) starts at its validFrom, never earlier. Takes the
 * two GrantView fields it reads, spelled out, because events.ts imports from this file (no import cycle).
 */
export function historyStartMs(grant: { historyFrom?: string | null; validFrom: string }): number {
  if (grant.historyFrom === HISTORY_ALL) return 0;
  const from = grant.historyFrom ? Date.parse(grant.historyFrom) : NaN;
  return Number.isNaN(from) ? Date.parse(grant.validFrom) : from;
}
