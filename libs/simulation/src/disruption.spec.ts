import { describe, expect, it } from 'vitest';
import {
  euvLensChainTwin,
  fluoriteFromChinaStops,
  fluoriteFromChinaStopsMonteCarlo,
} from '../../../test/fixtures/cps/euv-lens-chain.js';
import { simulateDisruption } from './disruption.js';
import { emptyTwin, type Facility, type Twin } from './model.js';

const facility = (id: string, product: string, over: Partial<Facility> = {}): Facility => ({
  id,
  name: id,
  owner: `p-${id}`,
  country: 'JP',
  product,
  capacityPerDay: 10,
  leadTimeDays: 2,
  yield: 1,
  outputStock: 0,
  inputStock: {},
  kgCo2ePerUnit: 0,
  ...over,
});

/**
 * Two mines, A (AU, 20 ore/day) and B (CL, 15 ore/day), ship ore to a plant in two days, half each. The
 * plant makes up to 10 metal a day from 2 ore each and holds 30 ore. Plan: 10 metal → 20 ore → A 10, B 10.
 * Spare: A 10, B 5.
 */
const twoMines: Twin = {
  ...emptyTwin(),
  facilities: [
    facility('mine-a', 'ore', { country: 'AU', capacityPerDay: 20 }),
    facility('mine-b', 'ore', { country: 'CL', capacityPerDay: 15 }),
    facility('plant', 'metal', { capacityPerDay: 10, leadTimeDays: 0, inputStock: { ore: 30 } }),
  ],
  bom: [{ product: 'metal', input: 'ore', ratio: 2 }],
  links: [
    { facility: 'plant', input: 'ore', supplier: 'mine-a', share: 0.5 },
    { facility: 'plant', input: 'ore', supplier: 'mine-b', share: 0.5 },
  ],
};

describe('simulateDisruption', () => {
  it('stops a mine for 10 days: hand-checked shortfall, cover and catch-up', () => {
    const r = simulateDisruption(twoMines, { stop: { country: 'AU' }, days: 10, horizonDays: 20 });
    // B covers min(10 lost, 5 spare) = 5 of the plant's 20 ore a day: coverShare 5 / 20 = 0.25.
    expect(r.alternatives).toEqual([
      { facility: 'plant', input: 'ore', supplier: 'mine-b', coverShare: 0.25, extraUnitsPerDay: 5 },
    ]);
    expect(r.exposures).toEqual([{ facility: 'plant', input: 'ore', lostShare: 0.5, coveredShare: 0.25 }]);
    // Days 0–1 the ore already in transit arrives (20 a day); from day 2 only B's 15. The plant's stock
    // of 30 falls by 5 a day: 25, 20, 15, 10, 5, 0 at the end of day 7. Day 8 it has 15 ore → 7.5 metal.
    // A restarts on day 10 with 20 a day (its backlog: 5 a day uncovered × 10 days = 50, repaid at 10 a
    // day of spare) and B is back to 10: arrivals on day 12 are 30, enough for 10 metal again.
    const metal = r.series.map((p) => p.output.metal);
    expect(metal).toEqual([
      10, 10, 10, 10, 10, 10, 10, 10, 7.5, 7.5, 7.5, 7.5, 10, 10, 10, 10, 10, 10, 10, 10,
    ]);
    expect(r.lostOutput.metal).toEqual({ units: 4 * 2.5, baselineUnits: 200 });
    // Ore: A makes 0 for 10 days then 20, 20, 20, 20, 20, 10…; B 15 for 10 days then 10: 400 over 20 days,
    // the same as the baseline (A caught up its backlog by day 14).
    expect(r.lostOutput.ore).toEqual({ units: 0, baselineUnits: 400 });
    expect(r.stopped).toEqual([
      {
        facility: 'mine-a',
        product: 'ore',
        firstShortDay: 0,
        firstStopDay: 0,
        minOutputShare: 0,
        lostUnits: 50, // 200 in the baseline, 150 here: B made the other 50
        direct: true,
      },
      {
        facility: 'plant',
        product: 'metal',
        firstShortDay: 8,
        firstStopDay: null,
        minOutputShare: 0.75,
        lostUnits: 10,
        direct: false,
      },
    ]);
    expect(r.runs).toBe(1);
    expect(r.seed).toBe(1);
  });

  it('without alternatives the plant runs dry two days earlier and stops until the mine restarts', () => {
    const noSpare: Twin = {
      ...twoMines,
      facilities: twoMines.facilities.map((f) => (f.id === 'mine-b' ? { ...f, capacityPerDay: 10 } : f)),
    };
    const r = simulateDisruption(noSpare, { stop: { supplier: 'mine-a' }, days: 10, horizonDays: 16 });
    expect(r.alternatives).toEqual([]);
    // from day 2 only 10 ore a day arrive: stock 30 → 20 → 10 → 0 at the end of day 4, then 10 ore = 5
    // metal a day until A's shipments from day 10 arrive on day 12 (A ships 20 a day: 10 + 10 backlog).
    const metal = r.series.map((p) => p.output.metal);
    expect(metal.slice(0, 13)).toEqual([10, 10, 10, 10, 10, 5, 5, 5, 5, 5, 5, 5, 10]);
  });

  it('waits reactionDays before the alternatives raise their share', () => {
    const now = simulateDisruption(twoMines, { stop: { country: 'AU' }, days: 10, horizonDays: 20 });
    const later = simulateDisruption(twoMines, {
      stop: { country: 'AU' },
      days: 10,
      horizonDays: 20,
      reactionDays: 3,
    });
    expect(later.lostOutput.metal!.units).toBeGreaterThan(now.lostOutput.metal!.units);
  });

  it('rejects a stop that matches nothing or names nothing', () => {
    expect(() => simulateDisruption(twoMines, { stop: { country: 'ZZ' }, days: 5, horizonDays: 10 })).toThrow(
      /no facility matches/,
    );
    expect(() => simulateDisruption(twoMines, { stop: {}, days: 5, horizonDays: 10 })).toThrow(/must name/);
  });

  it('fluorite from China stops for 60 days: the shortage walks down the EUV lens chain', () => {
    const r = simulateDisruption(euvLensChainTwin, fluoriteFromChinaStops);
    // Mexico and South Africa cover 6 and 5 of the 70 kg a day the blank maker needs (see the fixture).
    expect(r.alternatives).toEqual([
      {
        facility: 'blank-jp-shiga',
        input: 'fluorite',
        supplier: 'fluorite-mx-slp',
        coverShare: 0.085714,
        extraUnitsPerDay: 6,
      },
      {
        facility: 'blank-jp-shiga',
        input: 'fluorite',
        supplier: 'fluorite-za-limpopo',
        coverShare: 0.071429,
        extraUnitsPerDay: 5,
      },
    ]);
    const day = Object.fromEntries(r.stopped.map((s) => [s.facility, s.firstShortDay]));
    expect(Object.keys(day)).toEqual([
      'fluorite-cn-baotou',
      'blank-jp-shiga',
      'lens-jp-utsunomiya',
      'tool-nl-veldhoven',
      'fab-jp-kumamoto',
      'fab-tw-hsinchu',
    ]);
    expect(day['fluorite-cn-baotou']).toBe(0);
    // China's last shipments arrive until day 34; then the blank maker gets 21 kg a day (MX 14 + ZA 7)
    // for 5 days, 27 once Mexico's extra arrives (day 40) and 32 with South Africa's (day 45), against
    // 70 used: its 700 kg last until 700 - 5 × 49 - 5 × 43 = 240 kg at day 45, and 240 / 38 ≈ 6.3 days
    // more: short from day 51, making 32 / 70 of its plan (0.457).
    expect(day['blank-jp-shiga']).toBe(51);
    const blanks = r.stopped.find((s) => s.facility === 'blank-jp-shiga')!;
    expect(blanks.minOutputShare).toBeCloseTo(32 / 70, 6);
    // each tier downstream falls short later, by its stock and lead time
    expect(day['lens-jp-utsunomiya']).toBeGreaterThan(day['blank-jp-shiga']!);
    expect(day['tool-nl-veldhoven']).toBeGreaterThan(day['lens-jp-utsunomiya']!);
    expect(day['fab-tw-hsinchu']).toBeGreaterThan(day['tool-nl-veldhoven']!);
    expect(day['fab-tw-hsinchu']).toBeGreaterThan(150); // half a year after the mine stopped
    // the fabs lose exposure lines for good; the tiers upstream catch up with their spare capacity
    // within the year (the mine at 80 kg a day from day 60 until its backlog is repaid)
    expect(r.lostOutput['exposure-line']!.units).toBeGreaterThan(0);
    expect(r.lostOutput['caf2-blank']!.units).toBe(0);
    expect(r.series[70]!.output.fluorite).toBe(80 + 14 + 7);
  });

  it('Monte Carlo: the same seed gives the same result, another seed another one', () => {
    const small = { ...fluoriteFromChinaStopsMonteCarlo, runs: 20, horizonDays: 200 };
    const progress: number[] = [];
    const a = simulateDisruption(euvLensChainTwin, small, (done) => progress.push(done));
    const b = simulateDisruption(euvLensChainTwin, small);
    expect(b).toEqual(a);
    expect(progress).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const c = simulateDisruption(euvLensChainTwin, { ...small, seed: 1 });
    expect(c.lostOutput).not.toEqual(a.lostOutput);
    const lost = a.lostOutput['caf2-blank']!;
    expect(lost.p50).toBeDefined();
    expect(lost.p90!).toBeGreaterThanOrEqual(lost.p50!);
  });
});
