/**
 * Supplier disruption: a source stops for N days (by facility, country and/or product). The scenario runs
 * the daily network model (network.ts) twice per Monte Carlo run on the same random stream — once as is
 * (the baseline), once with the stop — and reports the difference: which facilities fall short and when,
 * how much output each product loses over the horizon, and which alternative suppliers cover how much.
 * A what-if on a snapshot: it reads the twin and writes nothing.
 */
import { invalidScenario, type Twin } from './model.js';
import {
  checkMonteCarlo,
  compileDisruption,
  compileNetwork,
  runOnce,
  Workspace,
  type Alternative,
  type Exposure,
  type RunParams,
} from './network.js';
import { percentileSorted, Random } from './random.js';

export interface DisruptionScenario {
  stop: { supplier?: string; country?: string; input?: string };
  /** The stop lasts days 0 .. days-1. */
  days: number;
  /** Days simulated, from day 0. */
  horizonDays: number;
  /** Monte Carlo runs (default 1). */
  runs?: number;
  /** Default 1. */
  seed?: number;
  /** 0..1, Monte Carlo: each shipment's lead time varies by up to ± this fraction. */
  leadTimeJitter?: number;
  /** 0..1, Monte Carlo: each facility-day's capacity varies by up to ± this fraction. */
  capacityNoise?: number;
  /** Days before alternative suppliers raise their share (qualification, contracts); default 0. */
  reactionDays?: number;
}

export interface StoppedFacility {
  facility: string;
  product: string;
  /** First day its (mean) output falls below the baseline's; null if stock carried it through the horizon. */
  firstShortDay: number | null;
  /** First day its output is below 1 % of the baseline's (it has stopped); null if never. */
  firstStopDay?: number | null;
  /** Lowest output over the horizon as a share of the baseline's that day. */
  minOutputShare?: number;
  /** Good units lost over the horizon (mean over runs). */
  lostUnits?: number;
  /** True for the facilities the scenario stops directly. */
  direct?: boolean;
}

export interface DisruptionResult {
  /** Directly stopped facilities and everything downstream of them, the earliest to fall short first. */
  stopped: StoppedFacility[];
  /**
   * Per product made by an affected facility or whose output changed: output lost over the horizon
   * (mean, and p50/p90 over runs when runs > 1; negative when alternatives made more of it).
   */
  lostOutput: Record<string, { units: number; p50?: number; p90?: number; baselineUnits?: number }>;
  alternatives: Alternative[];
  /** Per consumer and input bought from a stopped supplier: the share lost and the share covered. */
  exposures?: Exposure[];
  /** Output per day of the products in lostOutput, with the stop, mean over runs. */
  series: { day: number; output: Record<string, number> }[];
  /** The same without the stop. */
  baseline?: { day: number; output: Record<string, number> }[];
  runs: number;
  seed: number;
  /** Facility-days simulated (baseline and disrupted runs). */
  facilityDays?: number;
}

const clean = (x: number) => {
  const r = Math.round(x * 1e6) / 1e6;
  return r === 0 ? 0 : r; // no -0
};

export function simulateDisruption(
  twin: Twin,
  s: DisruptionScenario,
  onProgress?: (done: number, total: number) => void,
): DisruptionResult {
  const runs = s.runs ?? 1;
  const seed = s.seed ?? 1;
  const H = s.horizonDays;
  checkMonteCarlo({ days: H, runs, leadTimeJitter: s.leadTimeJitter, capacityNoise: s.capacityNoise });
  if (!Number.isInteger(s.days) || s.days < 0) {
    throw invalidScenario('days must be a non-negative integer', '/scenario/days');
  }
  const reaction = s.reactionDays ?? 0;
  if (!Number.isInteger(reaction) || reaction < 0) {
    throw invalidScenario('reactionDays must be a non-negative integer', '/scenario/reactionDays');
  }
  const net = compileNetwork(twin);
  const d = compileDisruption(net, s.stop, s.days, reaction);
  const jitter = s.leadTimeJitter ?? 0;
  const ws = new Workspace(net, jitter);
  const { n } = net;
  const P = net.products.length;
  const base: RunParams = {
    days: H,
    leadTimeJitter: jitter,
    capacityNoise: s.capacityNoise ?? 0,
    disruption: null,
  };
  const disrupted: RunParams = { ...base, disruption: d };
  const baseSeries = new Float64Array(H * P);
  const disSeries = new Float64Array(H * P);
  const baseFac = new Float64Array(H * n);
  const disFac = new Float64Array(H * n);
  const lostRuns = new Float64Array(runs * P);
  const baseRuns = new Float64Array(runs * P);
  const baseTotal = new Float64Array(n);
  const streams = Random.seeded(seed).streams(runs);
  let facilityDays = 0;
  for (let r = 0; r < runs; r++) {
    const rng = streams[r]!;
    facilityDays += runOnce(ws, base, rng.clone(), baseSeries, baseFac);
    baseTotal.set(ws.total);
    facilityDays += runOnce(ws, disrupted, rng, disSeries, disFac);
    for (let f = 0; f < n; f++) {
      const p = net.product[f]!;
      lostRuns[r * P + p]! += baseTotal[f]! - ws.total[f]!;
      baseRuns[r * P + p]! += baseTotal[f]!;
    }
    onProgress?.(r + 1, runs);
  }

  const stopped: StoppedFacility[] = [];
  const affectedProducts = new Set<number>();
  for (let f = 0; f < n; f++) {
    if (!d.affected[f]) continue;
    affectedProducts.add(net.product[f]!);
    let firstShortDay: number | null = null;
    let firstStopDay: number | null = null;
    let minShare = 1;
    let lost = 0;
    for (let t = 0; t < H; t++) {
      const b = baseFac[t * n + f]! / runs;
      const x = disFac[t * n + f]! / runs;
      lost += b - x;
      if (b <= 0) continue;
      if (x < b * (1 - 1e-6) && firstShortDay === null) firstShortDay = t;
      if (x <= 0.01 * b && firstStopDay === null) firstStopDay = t;
      if (x / b < minShare) minShare = x / b;
    }
    stopped.push({
      facility: net.ids[f]!,
      product: net.products[net.product[f]!]!,
      firstShortDay,
      firstStopDay,
      minOutputShare: clean(minShare),
      lostUnits: clean(lost),
      direct: d.stopped[f] === 1,
    });
  }
  stopped.sort(
    (a, b) =>
      (a.firstShortDay ?? Infinity) - (b.firstShortDay ?? Infinity) ||
      (a.facility < b.facility ? -1 : a.facility > b.facility ? 1 : 0),
  );

  // Products made by an affected facility, and any other whose output moved (e.g. what the stopped
  // facilities' own suppliers no longer had to make).
  for (let p = 0; p < P; p++) {
    let lost = 0;
    let baseSum = 0;
    for (let r = 0; r < runs; r++) {
      lost += Math.abs(lostRuns[r * P + p]!);
      baseSum += baseRuns[r * P + p]!;
    }
    if (lost > 1e-9 * Math.max(1, baseSum)) affectedProducts.add(p);
  }
  const products = [...affectedProducts].sort((a, b) => a - b);
  const lostOutput: DisruptionResult['lostOutput'] = {};
  const column = new Float64Array(runs);
  for (const p of products) {
    let mean = 0;
    let baseMean = 0;
    for (let r = 0; r < runs; r++) {
      column[r] = lostRuns[r * P + p]!;
      mean += column[r]! / runs;
      baseMean += baseRuns[r * P + p]! / runs;
    }
    const entry: DisruptionResult['lostOutput'][string] = {
      units: clean(mean),
      baselineUnits: clean(baseMean),
    };
    if (runs > 1) {
      column.sort();
      entry.p50 = clean(percentileSorted(column, 50));
      entry.p90 = clean(percentileSorted(column, 90));
    }
    lostOutput[net.products[p]!] = entry;
  }
  const toSeries = (acc: Float64Array) =>
    Array.from({ length: H }, (_, t) => ({
      day: t,
      output: Object.fromEntries(products.map((p) => [net.products[p]!, clean(acc[t * P + p]! / runs)])),
    }));
  return {
    stopped,
    lostOutput,
    alternatives: d.alternatives.map((a) => ({
      ...a,
      coverShare: clean(a.coverShare),
      extraUnitsPerDay: clean(a.extraUnitsPerDay),
    })),
    exposures: d.exposures.map((e) => ({
      ...e,
      lostShare: clean(e.lostShare),
      coveredShare: clean(e.coveredShare),
    })),
    series: toSeries(disSeries),
    baseline: toSeries(baseSeries),
    runs,
    seed,
    facilityDays,
  };
}
