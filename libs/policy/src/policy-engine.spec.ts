import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PolicyEngine as Engine } from './policy-engine.js';

// The compiled bundle is not needed to test how its answers are read: the wasm loader is replaced.
let answer: unknown;
vi.mock('@open-policy-agent/opa-wasm', () => ({
  loadPolicy: () => Promise.resolve({ evaluate: () => answer }),
}));

const { PolicyEngine, noObligations } = await import('./policy-engine.js');

const obligations = {
  drop: ['a'],
  pseudonymise: ['b'],
  withhold: ['p-1'],
  identify: ['p-2'],
  minK: 5,
  deleteBy: 1_800_000_000_000,
};

describe('policy engine', () => {
  let engine: Engine;
  beforeEach(async () => {
    engine = await PolicyEngine.load({ wasm: Buffer.alloc(0), revision: 'rego-test' });
  });
  const decide = (result: unknown, action = 'subscribe') => {
    answer = [{ result }];
    return engine.decide({ action } as never);
  };
  const allowed = {
    rule: 'ALLOW.SUBSCRIBE',
    explanations: [{ code: 'ALLOW.SUBSCRIBE', message: "participant 'org-b' may subscribe", params: {} }],
  };

  it('returns an allow with its full obligations, rule and explanation', () => {
    expect(decide({ allow: true, reasons: [], ...allowed, obligations })).toEqual({
      allow: true,
      reasons: [],
      ...allowed,
      obligations,
    });
  });

  it('accepts null minK and deleteBy', () => {
    const o = { ...obligations, minK: null, deleteBy: null };
    expect(decide({ allow: true, reasons: [], obligations: o }).obligations).toEqual(o);
  });

  it('gives a deny no obligations, and keeps its rule and explanations', () => {
    const explanations = [
      { code: 'GRANT.EXPIRED', message: "grant 'g-1' ended", params: { grant: 'g-1' } },
      { code: 'PURPOSE.NOT_ALLOWED', message: "purpose 'x' is not the grant's purpose", params: {} },
    ];
    const reasons = ['GRANT.EXPIRED', 'PURPOSE.NOT_ALLOWED'];
    expect(decide({ allow: false, reasons, rule: 'GRANT.EXPIRED', explanations, obligations })).toEqual({
      allow: false,
      reasons,
      rule: 'GRANT.EXPIRED',
      explanations,
      obligations: noObligations(),
    });
  });

  it('explains an answer without rule or explanations (an older bundle) the policy way, generically', () => {
    expect(decide({ allow: false, reasons: ['GRANT.EXPIRED', 'ROLE.MISSING'], obligations })).toMatchObject({
      rule: 'GRANT.EXPIRED',
      explanations: [
        { code: 'GRANT.EXPIRED', message: 'denied by policy rule GRANT.EXPIRED', params: {} },
        { code: 'ROLE.MISSING', message: 'denied by policy rule ROLE.MISSING', params: {} },
      ],
    });
    expect(decide({ allow: true, reasons: [], obligations }, 'grant.approve')).toMatchObject({
      allow: true,
      rule: 'ALLOW.GRANT_APPROVE',
      explanations: [{ code: 'ALLOW.GRANT_APPROVE' }],
    });
    // Explanations that do not match the reasons one by one are replaced, never trusted in part.
    const shuffled = [{ code: 'ROLE.MISSING', message: 'm', params: {} }];
    expect(
      decide({ allow: false, reasons: ['GRANT.EXPIRED'], rule: 'not a rule', explanations: shuffled }),
    ).toMatchObject({
      rule: 'GRANT.EXPIRED',
      explanations: [{ code: 'GRANT.EXPIRED', message: 'denied by policy rule GRANT.EXPIRED' }],
    });
  });

  it('bounds explanations: a long message is cut, oversized params are dropped', () => {
    const long = 'x'.repeat(5000);
    const d = decide({
      allow: false,
      reasons: ['PURPOSE.NOT_ALLOWED'],
      rule: 'PURPOSE.NOT_ALLOWED',
      explanations: [{ code: 'PURPOSE.NOT_ALLOWED', message: long, params: { purposes: [long] } }],
    });
    expect(d.explanations[0]!.message).toHaveLength(1000);
    expect(d.explanations[0]!.message.endsWith('…')).toBe(true);
    expect(d.explanations[0]!.params).toEqual({});
  });

  it('denies when there is no result or no boolean allow, explained as POLICY.NO_DECISION', () => {
    for (const result of [undefined, {}, { allow: 'yes' }]) {
      expect(decide(result)).toEqual({
        allow: false,
        reasons: ['POLICY.NO_DECISION'],
        rule: 'POLICY.NO_DECISION',
        explanations: [
          {
            code: 'POLICY.NO_DECISION',
            message: 'the policy gave no well-formed answer, so it is denied',
            params: {},
          },
        ],
        obligations: noObligations(),
      });
    }
    answer = [];
    expect(engine.decide({} as never).reasons).toEqual(['POLICY.NO_DECISION']);
  });

  it('denies an allow whose obligations are incomplete or mistyped (e.g. from an older bundle)', () => {
    const broken = [
      undefined,
      { drop: [], pseudonymise: [] },
      { ...obligations, withhold: undefined },
      { ...obligations, identify: 'p-2' },
      { ...obligations, drop: [1] },
      { ...obligations, minK: '5' },
      { ...obligations, deleteBy: undefined },
    ];
    for (const o of broken) {
      expect(decide({ allow: true, reasons: [], obligations: o })).toMatchObject({
        allow: false,
        reasons: ['POLICY.NO_DECISION'],
      });
    }
  });
});
