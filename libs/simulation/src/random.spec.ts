import { describe, expect, it } from 'vitest';
import { logGamma, percentileSorted, Random } from './random.js';

const draw = (rng: Random, n: number, f: (r: Random) => number) => Array.from({ length: n }, () => f(rng));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
};

describe('Random', () => {
  it('gives the same numbers for the same seed and different ones for another', () => {
    const a = draw(Random.seeded(42), 20, (r) => r.uniform());
    const b = draw(Random.seeded(42), 20, (r) => r.uniform());
    const c = draw(Random.seeded(43), 20, (r) => r.uniform());
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const x of a) expect(x >= 0 && x < 1).toBe(true);
  });

  it('pins the first numbers of a seed, so a change of generator or algorithm is noticed', () => {
    const rng = Random.seeded(20261121);
    const first = [
      rng.int(1, 6),
      rng.int(1, 6),
      rng.int(1, 6),
      rng.poisson(3),
      rng.poisson(40),
      rng.binomial(10, 0.3),
    ];
    expect(first).toEqual([5, 1, 4, 6, 38, 4]);
    expect(rng.uniform()).toBe(0.2987622565080086);
  });

  it('gives independent, reproducible streams per run, not shifted copies of one another', () => {
    const s1 = Random.seeded(7)
      .streams(3)
      .map((r) => draw(r, 5, (x) => x.uniformFast()));
    const s2 = Random.seeded(7)
      .streams(3)
      .map((r) => draw(r, 5, (x) => x.uniformFast()));
    expect(s1).toEqual(s2);
    expect(s1[0]).not.toEqual(s1[1]);
    expect(s1[1]).not.toEqual(s1[2]);
    // stream k does not depend on how much stream k-1 drew
    const streams = Random.seeded(7).streams(2);
    draw(streams[0]!, 1000, (x) => x.uniform());
    expect(draw(streams[1]!, 5, (x) => x.uniformFast())).toEqual(s1[1]);
  });

  it('clone() continues with the same numbers (common random numbers)', () => {
    const a = Random.seeded(1);
    a.uniform();
    const b = a.clone();
    expect(draw(a, 5, (r) => r.uniform())).toEqual(draw(b, 5, (r) => r.uniform()));
  });

  it('rejects seeds that are not 32-bit integers', () => {
    expect(() => Random.seeded(1.5)).toThrow(/seed/);
    expect(() => Random.seeded(2 ** 40)).toThrow(/seed/);
  });

  it('draws Poisson with mean and variance lambda, below and above the algorithm switch at 10', () => {
    for (const lambda of [0.7, 4, 25, 300]) {
      const xs = draw(Random.seeded(3), 40_000, (r) => r.poisson(lambda));
      // standard error of the mean is sqrt(lambda / n): 5 of them is a loose but safe bound
      expect(Math.abs(mean(xs) - lambda)).toBeLessThan(5 * Math.sqrt(lambda / 40_000));
      expect(variance(xs) / lambda).toBeGreaterThan(0.95);
      expect(variance(xs) / lambda).toBeLessThan(1.05);
      expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    }
    expect(Random.seeded(1).poisson(0)).toBe(0);
  });

  it('draws Binomial with mean np, exact and approximated', () => {
    for (const [n, p] of [
      [10, 0.3],
      [400, 1 / 12],
      [1000, 0.5],
      [50, 0.9],
    ] as const) {
      const xs = draw(Random.seeded(5), 20_000, (r) => r.binomial(n, p));
      const sd = Math.sqrt((n * p * (1 - p)) / 20_000);
      expect(Math.abs(mean(xs) - n * p)).toBeLessThan(5 * sd);
      expect(xs.every((x) => x >= 0 && x <= n)).toBe(true);
    }
    const r = Random.seeded(1);
    expect(r.binomial(0, 0.5)).toBe(0);
    expect(r.binomial(7, 1)).toBe(7);
    expect(r.binomial(7, 0)).toBe(0);
  });

  it('draws normals with the mean and sd asked for', () => {
    const xs = draw(Random.seeded(9), 40_000, (r) => r.normal(10, 2));
    expect(mean(xs)).toBeCloseTo(10, 1);
    expect(Math.sqrt(variance(xs))).toBeCloseTo(2, 1);
  });

  it('computes ln Γ and nearest-rank percentiles', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12); // 4! = 24
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentileSorted(sorted, 50)).toBe(5); // ceil(0.5 × 10) = 5th value
    expect(percentileSorted(sorted, 90)).toBe(9); // ceil(0.9 × 10) = 9th value
    expect(percentileSorted([], 50)).toBeNaN();
  });
});
