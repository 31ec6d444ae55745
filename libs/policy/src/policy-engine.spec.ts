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
  const decide = (result: unknown) => {
    answer = [{ result }];
    return engine.decide({} as never);
  };

  it('returns an allow with its full obligations', () => {
    expect(decide({ allow: true, reasons: [], obligations })).toEqual({
      allow: true,
      reasons: [],
      obligations,
    });
  });

  it('accepts null minK and deleteBy', () => {
    const o = { ...obligations, minK: null, deleteBy: null };
    expect(decide({ allow: true, reasons: [], obligations: o }).obligations).toEqual(o);
  });

  it('gives a deny no obligations', () => {
    expect(decide({ allow: false, reasons: ['GRANT.EXPIRED'], obligations })).toEqual({
      allow: false,
      reasons: ['GRANT.EXPIRED'],
      obligations: noObligations(),
    });
  });

  it('denies when there is no result or no boolean allow', () => {
    for (const result of [undefined, {}, { allow: 'yes' }]) {
      expect(decide(result)).toEqual({
        allow: false,
        reasons: ['POLICY.NO_DECISION'],
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
