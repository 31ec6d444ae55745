import { describe, expect, it } from 'vitest';
import { fixSeed, ScenarioKinds, ScenarioSpecSchema, type ScenarioSpec } from './params.js';

const disruption: ScenarioSpec = {
  kind: 'disruption',
  params: { stop: { country: 'CN' }, days: 60, horizonDays: 180, seed: 7 },
};
const method = { name: 'EUV', yield: 0.9, unitsPerDay: 100, costPerUnit: 10, kWhPerUnit: 5 };

describe('scenario specs keyed by kind', () => {
  it('lists every kind of the union, in its order (the OpenAPI enum of POST /scenarios)', () => {
    expect(ScenarioKinds).toEqual(['disruption', 'method-switch', 'cfp-rollup', 'hospital-occupancy']);
  });

  it("checks params against the kind's own schema and applies its defaults", () => {
    const parsed = ScenarioSpecSchema.parse({ kind: 'hospital-occupancy', params: { horizonDays: 30 } });
    expect(parsed).toEqual({ kind: 'hospital-occupancy', params: { horizonDays: 30, runs: 200 } });
    expect(ScenarioSpecSchema.safeParse({ kind: 'cfp-rollup', params: { horizonDays: 30 } }).success).toBe(
      false,
    );
  });

  it("fixes a run's seed: the run's override, else the scenario's, else a fresh one", () => {
    expect(fixSeed(disruption, 3, () => 99)).toMatchObject({ seed: 3, spec: { params: { seed: 3 } } });
    expect(fixSeed(disruption, undefined, () => 99)).toMatchObject({
      seed: 7,
      spec: { params: { seed: 7 } },
    });
    const unseeded: ScenarioSpec = { kind: 'hospital-occupancy', params: { horizonDays: 30, runs: 10 } };
    expect(fixSeed(unseeded, undefined, () => 99)).toEqual({
      seed: 99,
      spec: { kind: 'hospital-occupancy', params: { horizonDays: 30, runs: 10, seed: 99 } },
    });
  });

  it('gives kinds without random draws no seed, and leaves their params as they were', () => {
    const spec: ScenarioSpec = { kind: 'method-switch', params: { base: method, alt: method } };
    const fixed = fixSeed(spec, 5, () => 99);
    expect(fixed).toEqual({ seed: null, spec });
    expect(fixed.spec.params).not.toBe(spec.params);
  });
});
