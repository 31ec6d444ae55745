import { describe, expect, it } from 'vitest';
import { checkTwin, emptyTwin, type Facility, type Twin } from './model.js';
import { syntheticNetwork } from '../../../bench/synthetic-network.js';
import { compileDisruption, compileNetwork, simulateNetwork } from './network.js';

const facility = (id: string, product: string, over: Partial<Facility> = {}): Facility => ({
  id,
  name: id,
  owner: `p-${id}`,
  country: 'JP',
  product,
  capacityPerDay: 10,
  leadTimeDays: 0,
  yield: 1,
  outputStock: 0,
  inputStock: {},
  kgCo2ePerUnit: 0,
  ...over,
});

/** mine (ore) → smelter (metal, 2 ore each, yield 0.5) → plant (part, 1 metal each), the plant at the end. */
function chain(mineCapacity: number): Twin {
  return {
    ...emptyTwin(),
    facilities: [
      facility('mine', 'ore', { capacityPerDay: mineCapacity, leadTimeDays: 3 }),
      facility('smelter', 'metal', {
        capacityPerDay: 20,
        yield: 0.5,
        leadTimeDays: 2,
        outputStock: 5,
        inputStock: { ore: 40 },
      }),
      facility('plant', 'part', { capacityPerDay: 4, inputStock: { metal: 8 } }),
    ],
    bom: [
      { product: 'metal', input: 'ore', ratio: 2 },
      { product: 'part', input: 'metal', ratio: 1 },
    ],
    links: [
      { facility: 'smelter', input: 'ore', supplier: 'mine', share: 1 },
      { facility: 'plant', input: 'metal', supplier: 'smelter', share: 1 },
    ],
  };
}

describe('compileNetwork', () => {
  it('orders facilities upstream first and derives the plan from the end of the chain', () => {
    const net = compileNetwork(chain(100));
    expect(net.ids).toEqual(['mine', 'smelter', 'plant']);
    // plant at capacity 4 parts/day → 4 metal; smelter yield 0.5 → starts 8 → 16 ore a day
    expect([...net.base.start]).toEqual([16, 8, 4]);
    expect([...net.base.flow]).toEqual([16, 4]); // mine→smelter 16 ore, smelter→plant 4 metal
    expect([...net.sink]).toEqual([0, 0, 1]);
  });

  it('cuts the plan to what a short supplier can deliver', () => {
    // the mine makes only 10 ore: smelter 10 / 2 = 5 started, 2.5 good → the plant makes 2.5
    const net = compileNetwork(chain(10));
    expect([...net.base.start]).toEqual([10, 5, 2.5]);
    expect([...net.base.flow]).toEqual([10, 2.5]);
  });

  it('treats an input without supplier as external and links against the order as lead time ≥ 1', () => {
    const twin: Twin = {
      ...emptyTwin(),
      facilities: [facility('a', 'x'), facility('b', 'y')],
      bom: [
        { product: 'x', input: 'y', ratio: 1 },
        { product: 'y', input: 'x', ratio: 1 },
        { product: 'y', input: 'water', ratio: 5 },
      ],
      links: [
        { facility: 'a', input: 'y', supplier: 'b', share: 1 },
        { facility: 'b', input: 'x', supplier: 'a', share: 1 },
      ],
    };
    const net = compileNetwork(twin); // a cycle: must terminate
    expect(net.slots).toBe(2); // 'water' has no supplier: no slot
    expect([...net.linkMinLead].sort()).toEqual([0, 1]);
    expect(Math.min(...net.linkLead)).toBeGreaterThanOrEqual(0);
    const r = simulateNetwork(net, { days: 10, runs: 1, seed: 1 });
    expect(r.facilityDays).toBe(20);
  });
});

describe('simulateNetwork', () => {
  it('is flat at the plan when nothing is disturbed (pipelines start full)', () => {
    const net = compileNetwork(chain(100));
    const r = simulateNetwork(net, { days: 30, runs: 1, seed: 1 });
    const [metal, ore, part] = [
      r.products.indexOf('metal'),
      r.products.indexOf('ore'),
      r.products.indexOf('part'),
    ];
    for (let t = 0; t < 30; t++) {
      expect(r.series[t * 3 + ore]).toBe(16);
      expect(r.series[t * 3 + metal]).toBe(4);
      expect(r.series[t * 3 + part]).toBe(4);
    }
    expect(r.total[part]).toBe(120);
  });

  it('runs a 1,000-facility synthetic network flat without noise, and reproducibly with it', () => {
    const net = compileNetwork(syntheticNetwork(1000, 42));
    expect(net.n).toBe(1000);
    expect(net.links / net.n).toBeGreaterThan(3); // realistic fan-in
    const flat = simulateNetwork(net, { days: 60, runs: 1, seed: 1 });
    const P = net.products.length;
    for (let p = 0; p < P; p++) {
      const first = flat.series[p]!;
      for (let t = 1; t < 60; t++) expect(flat.series[t * P + p]).toBeCloseTo(first, 6);
    }
    const opts = { days: 60, runs: 4, seed: 99, leadTimeJitter: 0.3, capacityNoise: 0.1 };
    const a = simulateNetwork(net, opts);
    const b = simulateNetwork(net, opts);
    expect(b.runTotals).toEqual(a.runTotals);
    expect(b.series).toEqual(a.series);
    const c = simulateNetwork(net, { ...opts, seed: 100 });
    expect(c.runTotals).not.toEqual(a.runTotals);
    expect(a.facilityDays).toBe(4 * 60 * 1000);
  });

  it('builds the same synthetic network for the same seed', () => {
    expect(syntheticNetwork(300, 5)).toEqual(syntheticNetwork(300, 5));
    expect(syntheticNetwork(300, 5)).not.toEqual(syntheticNetwork(300, 6));
  });

  it('rejects bad parameters', () => {
    const net = compileNetwork(chain(100));
    expect(() => simulateNetwork(net, { days: 0, runs: 1, seed: 1 })).toThrow(/horizonDays/);
    expect(() => simulateNetwork(net, { days: 10, runs: 0, seed: 1 })).toThrow(/runs/);
    expect(() => simulateNetwork(net, { days: 10, runs: 1, seed: 1, leadTimeJitter: 2 })).toThrow(
      /leadTimeJitter/,
    );
  });
});

describe('compileDisruption', () => {
  it('shares an alternative’s spare capacity between consumers in topological order', () => {
    // s1 and s2 make 'x'; c1 and c2 each buy 10 a day, half from each. s1 stops: each consumer loses 5.
    // s2 (capacity 16, plan 10) has 6 spare: c1 (first in order) gets 5, c2 the remaining 1.
    const twin: Twin = {
      ...emptyTwin(),
      facilities: [
        facility('s1', 'x', { capacityPerDay: 20 }),
        facility('s2', 'x', { capacityPerDay: 16 }),
        facility('c1', 'y'),
        facility('c2', 'y'),
      ],
      bom: [{ product: 'y', input: 'x', ratio: 1 }],
      links: ['c1', 'c2'].flatMap((c) => [
        { facility: c, input: 'x', supplier: 's1', share: 0.5 },
        { facility: c, input: 'x', supplier: 's2', share: 0.5 },
      ]),
    };
    const net = compileNetwork(twin);
    const d = compileDisruption(net, { supplier: 's1' }, 10);
    expect(d.alternatives).toEqual([
      { facility: 'c1', input: 'x', supplier: 's2', coverShare: 0.5, extraUnitsPerDay: 5 },
      { facility: 'c2', input: 'x', supplier: 's2', coverShare: 0.1, extraUnitsPerDay: 1 },
    ]);
    // the plan while stopped: s2 ships 10 + 6 = 16, at capacity; s1 owes c2 the uncovered 4 a day
    expect(d.plan.start[net.index.get('s2')!]).toBe(16);
    expect(d.plan.demand[net.index.get('s1')!]).toBe(4);
    expect(d.stoppedIds).toEqual(['s1']);
  });
});

describe('checkTwin', () => {
  it('lists what the engine works around', () => {
    const twin: Twin = {
      ...emptyTwin(),
      facilities: [facility('a', 'x'), facility('b', 'y')],
      bom: [
        { product: 'y', input: 'x', ratio: 1 },
        { product: 'y', input: 'z', ratio: 1 },
      ],
      links: [
        { facility: 'b', input: 'x', supplier: 'a', share: 0.6 },
        { facility: 'b', input: 'x', supplier: 'ghost', share: 0.2 },
      ],
    };
    expect(checkTwin(twin)).toEqual([
      'link ghost→b: unknown supplier ghost',
      'shares of b / x sum to 0.8 (normalised to 1)',
      'b: no supplier of z in the twin (treated as external, always available)',
    ]);
  });
});
