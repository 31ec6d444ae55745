/**
 * Seeded randomness for the Monte Carlo runs: xoroshiro128+ from pure-rand, with the distributions the
 * simulations need. The same seed gives the same numbers on every machine (integer arithmetic in the
 * generator, IEEE-754 doubles after it). Independent streams per run come from the generator's jump
 * (2^64 steps apart), so run k's numbers do not depend on how many numbers run k-1 drew.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { invalidScenario } from './model.js';

const TWO_POW_M32 = 2.3283064365386963e-10; // 2^-32

export class Random {
  private spare = NaN;

  private constructor(private readonly g: JumpableRandomGenerator) {}

  /** A generator from a 32-bit integer seed (negative seeds and seeds up to 2^32 - 1 are accepted). */
  static seeded(seed: number): Random {
    if (!Number.isInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 32) {
      throw invalidScenario(`seed must be a 32-bit integer, got ${seed}`, '/scenario/seed');
    }
    return new Random(xoroshiro128plus(seed | 0));
  }

  /** An independent copy of this stream, moved 2^64 steps on; this stream is left where it was. */
  fork(): Random {
    const g = this.g.clone();
    g.jump();
    return new Random(g);
  }

  /**
   * `count` independent streams: stream 0 is this seed's stream jumped once, stream k jumped k+1 times.
   * Use one per Monte Carlo run.
   */
  streams(count: number): Random[] {
    const out: Random[] = [];
    const g = this.g.clone();
    for (let i = 0; i < count; i++) {
      g.jump();
      out.push(new Random(g.clone()));
    }
    return out;
  }

  /** A copy at the same position (both produce the same numbers from here): common random numbers. */
  clone(): Random {
    return new Random(this.g.clone());
  }

  /** Uniform on [0, 1) with 32 bits of resolution: one generator step, for the hot loops. */
  uniformFast(): number {
    return (this.g.next() >>> 0) * TWO_POW_M32;
  }

  /** Uniform on [0, 1) with 53 bits of resolution (two generator steps). */
  uniform(): number {
    return uniformFloat64(this.g);
  }

  /** Uniform integer in [min, max], unbiased. */
  int(min: number, max: number): number {
    return uniformInt(this.g, min, max);
  }

  /** Normal(mean, sd) by the Box–Muller transform (the second value is kept for the next call). */
  normal(mean = 0, sd = 1): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = NaN;
      return mean + sd * z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.uniform());
  }

  /** Number of failures before the first success, success probability p (mean (1-p)/p). */
  geometric(p: number): number {
    if (p >= 1) return 0;
    return Math.floor(Math.log(1 - this.uniform()) / Math.log(1 - p));
  }

  /**
   * Poisson(lambda): multiplication method below 10, above it Hörmann's PTRS transformed rejection
   * (W. Hörmann, "The transformed rejection method for generating Poisson random variables", 1993), the
   * algorithm NumPy uses. Exact in both ranges.
   */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda < 10) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.uniform();
      while (p > limit) {
        k++;
        p *= this.uniform();
      }
      return k;
    }
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (
        Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <=
        -lambda + k * loglam - logGamma(k + 1)
      ) {
        return k;
      }
    }
  }

  /**
   * Binomial(n, p): exact inversion while n·min(p, 1-p) < 30, the normal approximation with continuity
   * correction above (its error is far below the Monte Carlo noise at those sizes).
   */
  binomial(n: number, p: number): number {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - this.binomial(n, 1 - p);
    const q = 1 - p;
    if (n * p < 30) {
      const s = p / q;
      const a = (n + 1) * s;
      let r = Math.pow(q, n);
      let u = this.uniform();
      let x = 0;
      while (u > r) {
        u -= r;
        x++;
        if (x > n) return n;
        r *= a / x - s;
      }
      return x;
    }
    const x = Math.round(n * p + Math.sqrt(n * p * q) * this.normal());
    return x < 0 ? 0 : x > n ? n : x;
  }
}

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905,
  -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const y = x - 1;
  let sum = 0.9999999999998099;
  for (let i = 0; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (y + i + 1);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Nearest-rank percentile of an ascending array (p in 0..100), as bench/stats.ts computes it. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const i = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
  return sorted[i]!;
}
