/**
 * Regional hospital occupancy forecast: overflow risk per hospital and proposed transfers between them.
 *
 * The model, per hospital and day (day 0 is the first simulated day, values are end-of-day occupancy):
 * every patient in a bed is discharged with probability 1/meanStayDays (a geometric length of stay with
 * mean meanStayDays: discharges ~ Binomial(occupied, 1/meanStayDays)), then Poisson(dailyAdmissionsMean ×
 * surge) patients are admitted. Occupancy is demand for beds and is not capped: a hospital overflows on
 * a day when occupancy exceeds its beds. In steady state occupancy averages admissions × meanStayDays.
 *
 * Over the runs: p50/p90 occupancy per day (nearest rank), and the overflow probability = the share of
 * runs in which the hospital overflows on at least one day of the horizon.
 */
import { invalidScenario, type Hospital, type Twin } from './model.js';
import { percentileSorted, Random } from './random.js';

export interface OccupancyScenario {
  horizonDays: number;
  runs: number;
  seed: number;
  /** admissions multiplier */
  surge?: number;
}

export interface Transfer {
  from: string;
  to: string;
  /** Admissions to divert (or patients to move) per day, from `day` on. */
  patientsPerDay: number;
  /** First day the sending hospital's p90 exceeds its beds. */
  day: number;
  distanceKm?: number;
}

export interface HospitalForecast {
  id: string;
  beds: number;
  series: { day: number; p50: number; p90: number; mean?: number }[];
  overflowProbability: number;
  /** Expected number of days over beds within the horizon. */
  expectedOverflowDays?: number;
}

export interface OccupancyForecast {
  hospitals: HospitalForecast[];
  transfers: Transfer[];
  /** Per hospital, diversion it needs that no neighbour with a known distance could take. */
  unplaced?: { hospital: string; patientsPerDay: number }[];
  runs: number;
  seed: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function forecastOccupancy(
  twin: Twin,
  s: OccupancyScenario,
  onProgress?: (done: number, total: number) => void,
): OccupancyForecast {
  const { horizonDays: D, runs: R, seed } = s;
  const surge = s.surge ?? 1;
  if (!Number.isInteger(D) || D < 1 || D > 3650) {
    throw invalidScenario('horizonDays must be an integer in 1..3650', '/scenario/horizonDays');
  }
  if (!Number.isInteger(R) || R < 1 || R > 1_000_000) {
    throw invalidScenario('runs must be an integer in 1..1000000', '/scenario/runs');
  }
  if (!(surge >= 0 && Number.isFinite(surge))) {
    throw invalidScenario('surge must be a non-negative number', '/scenario/surge');
  }
  const hospitals = [...twin.hospitals].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const H = hospitals.length;
  // occ[(h·D + d)·R + r]: the runs of one hospital-day are contiguous, for the percentiles.
  const occ = new Float64Array(H * D * R);
  const overflowRuns = new Int32Array(H);
  const overflowDays = new Float64Array(H);
  const streams = Random.seeded(seed).streams(R);
  for (let r = 0; r < R; r++) {
    const rng = streams[r]!;
    for (let h = 0; h < H; h++) {
      const hosp = hospitals[h]!;
      const p = 1 / hosp.meanStayDays;
      const lambda = hosp.dailyAdmissionsMean * surge;
      let o = Math.max(0, Math.round(hosp.occupied));
      let over = false;
      for (let d = 0; d < D; d++) {
        o = o - rng.binomial(o, p) + rng.poisson(lambda);
        occ[(h * D + d) * R + r] = o;
        if (o > hosp.beds) {
          over = true;
          overflowDays[h]! += 1;
        }
      }
      if (over) overflowRuns[h]!++;
    }
    onProgress?.(r + 1, R);
  }
  const p90s: number[][] = [];
  const result: HospitalForecast[] = hospitals.map((hosp, h) => {
    const series: HospitalForecast['series'] = [];
    const p90: number[] = [];
    for (let d = 0; d < D; d++) {
      const cell = occ.subarray((h * D + d) * R, (h * D + d + 1) * R).sort();
      let sum = 0;
      for (let r = 0; r < R; r++) sum += cell[r]!;
      const q90 = percentileSorted(cell, 90);
      p90.push(q90);
      series.push({ day: d, p50: percentileSorted(cell, 50), p90: q90, mean: round2(sum / R) });
    }
    p90s.push(p90);
    return {
      id: hosp.id,
      beds: hosp.beds,
      series,
      overflowProbability: overflowRuns[h]! / R,
      expectedOverflowDays: round2(overflowDays[h]! / R),
    };
  });
  const { transfers, unplaced } = proposeTransfers(hospitals, p90s);
  return { hospitals: result, transfers, unplaced, runs: R, seed };
}

/** Road distance between two hospitals, from either one's table; undefined if neither knows it. */
export function distanceBetween(a: Hospital, b: Hospital): number | undefined {
  return a.distanceKm?.[b.id] ?? b.distanceKm?.[a.id];
}

/**
 * Transfers from the hospitals whose p90 occupancy exceeds their beds to the nearest ones with spare p90
 * capacity. Occupancy is a stock, diversion a flow: diverting r patients a day lowers a hospital's
 * occupancy by about r × meanStayDays once it has run for a stay or so, and raises the receiver's by the
 * same number of beds. So, for each overflowing hospital (largest peak excess first):
 *
 * - excess E = max over days of (p90 - beds), from the first day d it is positive; needed r = E / stay;
 * - each neighbour with a known distance, nearest first (ties by id), offers its spare beds
 *   min over days ≥ d of (beds - p90), less beds promised to earlier transfers, i.e. spare / stay patients
 *   a day (stay = the sender's mean stay, the patients' own);
 * - it takes min(remaining r, that), until r is placed; what no one can take is reported as unplaced.
 *
 * `p90[h][day]` follows `hospitals` order. patientsPerDay is rounded to 0.01.
 */
export function proposeTransfers(
  hospitals: Hospital[],
  p90: number[][],
): { transfers: Transfer[]; unplaced: { hospital: string; patientsPerDay: number }[] } {
  const H = hospitals.length;
  const promised = new Float64Array(H);
  const needs: { h: number; excess: number; day: number }[] = [];
  for (let h = 0; h < H; h++) {
    const beds = hospitals[h]!.beds;
    const series = p90[h] ?? [];
    let excess = 0;
    let day = -1;
    series.forEach((v, d) => {
      if (v > beds) {
        if (day < 0) day = d;
        excess = Math.max(excess, v - beds);
      }
    });
    if (day >= 0) needs.push({ h, excess, day });
  }
  needs.sort((a, b) => b.excess - a.excess || a.h - b.h);
  const overflowing = new Set(needs.map((x) => x.h));
  const transfers: Transfer[] = [];
  const unplaced: { hospital: string; patientsPerDay: number }[] = [];
  for (const need of needs) {
    const from = hospitals[need.h]!;
    const stay = from.meanStayDays;
    let rate = need.excess / stay;
    const neighbours = hospitals
      .map((c, i) => ({ i, km: distanceBetween(from, c) }))
      .filter((x): x is { i: number; km: number } => x.i !== need.h && x.km !== undefined)
      .filter((x) => !overflowing.has(x.i))
      .sort((a, b) => a.km - b.km || (hospitals[a.i]!.id < hospitals[b.i]!.id ? -1 : 1));
    for (const { i, km } of neighbours) {
      if (rate <= 1e-9) break;
      const to = hospitals[i]!;
      const series = p90[i] ?? [];
      let spare = Infinity;
      for (let d = need.day; d < series.length; d++) spare = Math.min(spare, to.beds - series[d]!);
      if (!Number.isFinite(spare)) spare = to.beds - to.occupied;
      spare -= promised[i]!;
      if (spare <= 0) continue;
      const take = Math.min(rate, spare / stay);
      promised[i]! += take * stay;
      rate -= take;
      transfers.push({
        from: from.id,
        to: to.id,
        patientsPerDay: round2(take),
        day: need.day,
        distanceKm: km,
      });
    }
    if (rate > 1e-9) unplaced.push({ hospital: from.id, patientsPerDay: round2(rate) });
  }
  return { transfers, unplaced };
}
