/**
 * The DSP 2025-1 contract negotiation machine, guarded per side. One table of moves (the protocol's states
 * are the same on both sides), and per side who makes each move: on the provider side the consumer peer
 * requests, accepts and verifies while the originator (or the policy) offers, agrees and finalizes; on the
 * consumer side the other way round. Either party may terminate before FINALIZED; a FINALIZED agreement
 * ends by revocation of its grant, never by termination.
 *
 * | move      | from                                      | to         | provider side: by | consumer side: by |
 * |-----------|-------------------------------------------|------------|-------------------|-------------------|
 * | request   | OFFERED (a counter-offer)                 | REQUESTED  | peer              | us (member)       |
 * | offer     | REQUESTED                                 | OFFERED    | us (originator)   | peer              |
 * | accept    | OFFERED                                   | ACCEPTED   | peer              | us (member)       |
 * | agree     | REQUESTED, ACCEPTED                       | AGREED     | us (originator/policy) | peer         |
 * | verify    | AGREED                                    | VERIFIED   | peer              | us (member)       |
 * | finalize  | VERIFIED                                  | FINALIZED  | us (originator/policy) | peer         |
 * | terminate | REQUESTED, OFFERED, ACCEPTED, AGREED, VERIFIED | TERMINATED | either         | either            |
 *
 * On the provider side the grant follows (grants.service.ts): the request is a grant request (`requested`),
 * the agreement is the approval decision, FINALIZED makes the grant `granted`, a termination before it
 * makes it `rejected` (by the provider) or `revoked` (by the consumer).
 */
import { conflict, DomainError } from '@renkei/domain';
import type { NegotiationState, Side } from '../core/dsp-messages.js';

export const NegotiationMoves = [
  'request',
  'offer',
  'accept',
  'agree',
  'verify',
  'finalize',
  'terminate',
] as const;
export type NegotiationMove = (typeof NegotiationMoves)[number];

const LIVE: NegotiationState[] = ['REQUESTED', 'OFFERED', 'ACCEPTED', 'AGREED', 'VERIFIED'];

export const negotiationMoves: Record<
  NegotiationMove,
  { from: readonly NegotiationState[]; to: NegotiationState }
> = {
  request: { from: ['OFFERED'], to: 'REQUESTED' },
  offer: { from: ['REQUESTED'], to: 'OFFERED' },
  accept: { from: ['OFFERED'], to: 'ACCEPTED' },
  agree: { from: ['REQUESTED', 'ACCEPTED'], to: 'AGREED' },
  verify: { from: ['AGREED'], to: 'VERIFIED' },
  finalize: { from: ['VERIFIED'], to: 'FINALIZED' },
  terminate: { from: LIVE, to: 'TERMINATED' },
};

/** Who makes a move on a side: the provider makes offer, agree, finalize; the consumer request, accept, verify. */
const providerMoves = new Set<NegotiationMove>(['offer', 'agree', 'finalize', 'terminate']);
const consumerMoves = new Set<NegotiationMove>(['request', 'accept', 'verify', 'terminate']);

/** Whether the party in `role` makes `move` (the provider or the consumer of the negotiation). */
export function movedBy(role: Side, move: NegotiationMove): boolean {
  return (role === 'provider' ? providerMoves : consumerMoves).has(move);
}

/** The states a negotiation can go to from `state`. */
export function nextStates(state: NegotiationState): NegotiationState[] {
  return [
    ...new Set(
      NegotiationMoves.filter((m) => negotiationMoves[m].from.includes(state)).map(
        (m) => negotiationMoves[m].to,
      ),
    ),
  ];
}

export const isFinal = (state: string) => state === 'FINALIZED' || state === 'TERMINATED';

/**
 * The guard: `role` (the provider or the consumer of the negotiation) makes `move` from `state`. Returns the
 * state it leads to; throws 409 DSP.ILLEGAL_TRANSITION when the move is not this party's or not allowed from
 * `state`.
 */
export function assertNegotiationMove(state: string, role: Side, move: NegotiationMove): NegotiationState {
  const rule = negotiationMoves[move];
  if (!movedBy(role, move)) {
    throw conflict(
      'DSP.ILLEGAL_TRANSITION',
      `The ${role} of a negotiation cannot ${move === 'accept' ? 'accept an offer' : move}: that is the ${role === 'provider' ? 'consumer' : 'provider'}'s move`,
      `In state ${state} the ${role} may: ${allowedFor(state, role) || 'nothing (final)'}`,
    );
  }
  if (!rule.from.includes(state as NegotiationState)) {
    throw illegal(state, rule.to, role);
  }
  return rule.to;
}

function allowedFor(state: string, role: Side): string {
  return NegotiationMoves.filter(
    (m) => movedBy(role, m) && negotiationMoves[m].from.includes(state as NegotiationState),
  ).join(', ');
}

function illegal(state: string, to: NegotiationState, role: Side): DomainError {
  const hint =
    state === 'FINALIZED' && to === 'TERMINATED'
      ? 'A FINALIZED agreement is not terminated: it ends when its grant is revoked'
      : isFinal(state)
        ? `${state} is final: start a new negotiation`
        : `From ${state} the ${role} may: ${allowedFor(state, role) || 'nothing; wait for the other party'}`;
  return conflict('DSP.ILLEGAL_TRANSITION', `A negotiation in state ${state} cannot become ${to}`, hint);
}
