import { describe, expect, it } from 'vitest';
import { euvExposure, euvLensChainTwin, nanoimprint } from '../../../test/fixtures/cps/euv-lens-chain.js';
import { applyMethod, compareMethods, type ProcessMethod } from './method-switch.js';

describe('compareMethods', () => {
  it('compares per good unit (hand-checked)', () => {
    // base: 100 a day at 80 % → 80 good; 8 per unit / 0.8 = 10 per good unit; 4 kWh / 0.8 = 5 kWh
    // alt:   60 a day at 100 % → 60 good; 6 per good unit; 2 kWh per good unit
    const base: ProcessMethod = { name: 'base', yield: 0.8, unitsPerDay: 100, costPerUnit: 8, kWhPerUnit: 4 };
    const alt: ProcessMethod = { name: 'alt', yield: 1, unitsPerDay: 60, costPerUnit: 6, kWhPerUnit: 2 };
    const r = compareMethods(base, alt);
    expect(r.yieldDelta).toBeCloseTo(0.2, 12);
    expect(r.throughputDelta).toBe(-20);
    expect(r.costDelta).toBe(-4);
    expect(r.powerDelta).toBe(-3);
    expect(r.relative.yield).toBeCloseTo(0.25, 12);
    expect(r.relative.throughput).toBe(-0.25);
    expect(r.relative.cost).toBe(-0.4);
    expect(r.relative.power).toBe(-0.6);
  });

  it('EUV exposure versus nanoimprint (fixture figures)', () => {
    const r = compareMethods(euvExposure, nanoimprint);
    // good wafers a day: 3000 × 0.95 = 2850 vs 1500 × 0.9 = 1350
    expect(r.throughputDelta).toBe(1350 - 2850);
    // cost per good wafer pass: 210 / 0.95 = 221.05 vs 120 / 0.9 = 133.33
    expect(r.costDelta).toBeCloseTo(120 / 0.9 - 210 / 0.95, 9);
    // energy per good wafer pass: 9.6 / 0.95 = 10.105 vs 1 / 0.9 = 1.111 kWh, −89 %
    expect(r.powerDelta).toBeCloseTo(1 / 0.9 - 9.6 / 0.95, 9);
    expect(r.relative.power).toBeCloseTo(-0.89, 2);
  });

  it('rejects impossible methods and can apply one to a facility of the twin', () => {
    expect(() => compareMethods({ ...euvExposure, yield: 0 }, nanoimprint)).toThrow(/yield/);
    const switched = applyMethod(euvLensChainTwin, 'lens-jp-utsunomiya', {
      name: 'faster polishing',
      yield: 0.9,
      unitsPerDay: 0.12,
      costPerUnit: 1,
      kWhPerUnit: 1,
    });
    const lens = switched.facilities.find((f) => f.id === 'lens-jp-utsunomiya')!;
    expect(lens).toMatchObject({ yield: 0.9, capacityPerDay: 0.12 });
    expect(euvLensChainTwin.facilities.find((f) => f.id === 'lens-jp-utsunomiya')!.yield).toBe(0.8);
    expect(() => applyMethod(euvLensChainTwin, 'nowhere', nanoimprint)).toThrow(/no facility/);
  });
});
