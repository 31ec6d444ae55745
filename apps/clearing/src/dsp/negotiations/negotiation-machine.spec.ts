import { describe, expect, it } from 'vitest';
import type { DomainError } from '@renkei/domain';
import { NegotiationStates, type NegotiationState, type Side } from '../core/dsp-messages.js';
import {
  assertNegotiationMove,
  isFinal,
  movedBy,
  negotiationMoves,
  NegotiationMoves,
  nextStates,
  type NegotiationMove,
} from './negotiation-machine.js';
import { grantRules, offerPurposes } from './negotiation-terms.js';

const tryMove = (state: string, role: Side, move: NegotiationMove) => {
  try {
    return assertNegotiationMove(state, role, move);
  } catch (error) {
    return (error as DomainError).code;
  }
};

describe('the DSP negotiation machine', () => {
  it('allows exactly the DSP 2025-1 transitions (the TCK reference connector’s table)', () => {
    const expected: Record<NegotiationState, NegotiationState[]> = {
      REQUESTED: ['OFFERED', 'AGREED', 'TERMINATED'],
      OFFERED: ['REQUESTED', 'ACCEPTED', 'TERMINATED'],
      ACCEPTED: ['AGREED', 'TERMINATED'],
      AGREED: ['VERIFIED', 'TERMINATED'],
      VERIFIED: ['FINALIZED', 'TERMINATED'],
      FINALIZED: [],
      TERMINATED: [],
    };
    for (const state of NegotiationStates)
      expect(nextStates(state).sort(), state).toEqual(expected[state].sort());
  });

  it('gives each move to its party: the provider offers, agrees, finalizes; the consumer requests, accepts, verifies', () => {
    expect(NegotiationMoves.filter((m) => movedBy('provider', m))).toEqual([
      'offer',
      'agree',
      'finalize',
      'terminate',
    ]);
    expect(NegotiationMoves.filter((m) => movedBy('consumer', m))).toEqual([
      'request',
      'accept',
      'verify',
      'terminate',
    ]);
  });

  it('answers every move of the wrong party or from the wrong state with 409 DSP.ILLEGAL_TRANSITION', () => {
    for (const state of NegotiationStates)
      for (const role of ['provider', 'consumer'] as const)
        for (const move of NegotiationMoves) {
          const legal = movedBy(role, move) && negotiationMoves[move].from.includes(state);
          const result = tryMove(state, role, move);
          if (legal) expect(result, `${role} ${move} in ${state}`).toBe(negotiationMoves[move].to);
          else expect(result, `${role} ${move} in ${state}`).toBe('DSP.ILLEGAL_TRANSITION');
        }
  });

  it('refuses the TCK’s negative moves', () => {
    expect(tryMove('FINALIZED', 'consumer', 'terminate')).toBe('DSP.ILLEGAL_TRANSITION'); // CN:03-01
    expect(tryMove('OFFERED', 'consumer', 'verify')).toBe('DSP.ILLEGAL_TRANSITION'); // CN:03-02
    expect(tryMove('ACCEPTED', 'consumer', 'verify')).toBe('DSP.ILLEGAL_TRANSITION'); // CN:03-03
    expect(tryMove('REQUESTED', 'consumer', 'request')).toBe('DSP.ILLEGAL_TRANSITION'); // CN:03-04
    expect(tryMove('REQUESTED', 'provider', 'finalize')).toBe('DSP.ILLEGAL_TRANSITION'); // CN_C:03-01
    expect(tryMove('OFFERED', 'provider', 'agree')).toBe('DSP.ILLEGAL_TRANSITION'); // CN_C:03-02
    expect(tryMove('ACCEPTED', 'provider', 'offer')).toBe('DSP.ILLEGAL_TRANSITION'); // CN_C:03-05
    expect(tryMove('AGREED', 'provider', 'finalize')).toBe('DSP.ILLEGAL_TRANSITION'); // CN_C:03-06
  });

  it('lets the happy paths through', () => {
    let s: string = 'REQUESTED';
    for (const [role, move] of [
      ['provider', 'offer'],
      ['consumer', 'accept'],
      ['provider', 'agree'],
      ['consumer', 'verify'],
      ['provider', 'finalize'],
    ] as const)
      s = assertNegotiationMove(s, role, move);
    expect(s).toBe('FINALIZED');
    expect(isFinal(s)).toBe(true);
    expect(assertNegotiationMove('OFFERED', 'consumer', 'request')).toBe('REQUESTED');
    expect(assertNegotiationMove('VERIFIED', 'consumer', 'terminate')).toBe('TERMINATED');
  });

  it('says in the hint that a finalized agreement ends by revocation', () => {
    try {
      assertNegotiationMove('FINALIZED', 'provider', 'terminate');
    } catch (error) {
      expect((error as DomainError).hint).toMatch(/revoked/);
    }
  });
});

describe('negotiation terms', () => {
  const terms = {
    dataset: 'battery.cfp',
    owner: 'o',
    version: '1.0.0',
    status: 'active' as const,
    title: 't',
    domain: 'supply-chain',
    purposes: ['cfp-disclosure', 'due-diligence'],
    sensitivity: 'internal' as const,
    residency: 'JP',
    retentionDays: 30,
    fields: { plant: { tags: ['competitive' as const], residency: 'JP' } },
    schema: {},
  };

  it('reads the purpose from odrl:purpose constraints, in any of their forms', () => {
    const offer = (constraint: Record<string, unknown>[]) => ({
      '@id': 'o',
      permission: [{ action: 'use', constraint }],
    });
    expect(
      offerPurposes(offer([{ leftOperand: 'odrl:purpose', operator: 'eq', rightOperand: 'cfp-disclosure' }])),
    ).toEqual(['cfp-disclosure']);
    expect(
      offerPurposes(
        offer([
          {
            leftOperand: { '@id': 'http://www.w3.org/ns/odrl/2/purpose' },
            operator: 'isAnyOf',
            rightOperand: [{ '@value': 'a' }, 'b'],
          },
        ]),
      ),
    ).toEqual(['a', 'b']);
    expect(
      offerPurposes(offer([{ and: [{ leftOperand: 'purpose', operator: 'eq', rightOperand: 'x' }] }])),
    ).toEqual(['x']);
    expect(offerPurposes({ '@id': 'o', permission: [{ action: 'use' }] })).toEqual([]);
  });

  it('narrows the contract’s rules to the grant’s purpose; an agreement carries residency, prohibitions, retention and no consent duty', () => {
    const rules = grantRules(
      terms,
      'cfp-disclosure',
      'urn:renkei:dataset:battery.cfp:1.0.0',
      'urn:renkei:clearing',
      'agreement',
    );
    expect(rules.permission[0]).toMatchObject({
      action: 'use',
      constraint: [
        { leftOperand: 'odrl:purpose', operator: 'isAnyOf', rightOperand: ['cfp-disclosure'] },
        { leftOperand: 'odrl:spatial', operator: 'eq', rightOperand: 'JP' },
      ],
    });
    expect(rules.permission[0]).not.toHaveProperty('duty');
    expect(rules.prohibition?.[0]).toMatchObject({
      target: 'urn:renkei:dataset:battery.cfp:1.0.0#/schema/properties/plant',
    });
    expect(rules.obligation?.[0]).toMatchObject({ action: 'odrl:delete' });
  });
});
