import {
  compareMethods,
  forecastOccupancy,
  rollUpCfp,
  simulateDisruption,
  type CfpRollUp,
  type DisruptionResult,
  type MethodComparison,
  type OccupancyForecast,
  type Twin,
} from '@renkei/simulation';
import type { ChartSeries } from '../charts/chart.js';
import type { RunSpec } from './params.js';

export { fixSeed, type RunSpec, type ScenarioKind, type ScenarioSpec } from './params.js';

/** A run's outcome, keyed by kind like the scenario it ran. */
export type ScenarioOutcome =
  | { kind: 'disruption'; result: DisruptionResult }
  | { kind: 'method-switch'; result: MethodComparison }
  | { kind: 'cfp-rollup'; result: CfpRollUp }
  | { kind: 'hospital-occupancy'; result: OccupancyForecast };

/** Runs one scenario on a frozen twin (pure: the same twin, params and seed give the same result). */
export function execute(
  spec: RunSpec,
  twin: Twin,
  onProgress?: (fraction: number, done: number, total: number) => void,
): ScenarioOutcome {
  // The engine reports (done, total); the API reports a fraction, and the units as the step.
  const progress = onProgress
    ? (done: number, total: number) => onProgress(total > 0 ? Math.min(1, done / total) : 1, done, total)
    : undefined;
  switch (spec.kind) {
    case 'disruption':
      return { kind: spec.kind, result: simulateDisruption(twin, spec.params, progress) };
    case 'method-switch':
      return { kind: spec.kind, result: compareMethods(spec.params.base, spec.params.alt) };
    case 'cfp-rollup':
      return { kind: spec.kind, result: rollUpCfp(twin, spec.params.product) };
    case 'hospital-occupancy':
      return { kind: spec.kind, result: forecastOccupancy(twin, spec.params, progress) };
  }
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The main series of a result, as rows a chart can take directly. */
export function chartOf(name: string, outcome: ScenarioOutcome): ChartSeries {
  switch (outcome.kind) {
    case 'disruption':
      return {
        title: `${name}: output per product`,
        mark: 'line',
        x: { field: 'day', title: 'Day', type: 'quantitative' },
        y: { field: 'units', title: 'Units per day' },
        series: 'product',
        rows: outcome.result.series.flatMap((point) =>
          Object.entries(point.output)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([product, units]) => ({ day: point.day, product, units: num(units) })),
        ),
      };
    case 'hospital-occupancy':
      return {
        title: `${name}: bed occupancy`,
        mark: 'line',
        x: { field: 'day', title: 'Day', type: 'quantitative' },
        y: { field: 'occupancy', title: 'Occupied beds' },
        series: 'hospital',
        dash: 'quantile',
        rows: outcome.result.hospitals.flatMap((h) =>
          h.series.flatMap((point) => [
            { day: point.day, hospital: h.id, quantile: 'p50', occupancy: num(point.p50) },
            { day: point.day, hospital: h.id, quantile: 'p90', occupancy: num(point.p90) },
          ]),
        ),
      };
    case 'cfp-rollup':
      return {
        title: `${name}: kg CO2e per unit by facility`,
        mark: 'bar',
        x: { field: 'facility', title: 'Facility', type: 'nominal' },
        y: { field: 'kgCo2e', title: 'kg CO2e per unit' },
        series: 'product',
        rows: outcome.result.breakdown.map((b) => ({
          facility: b.facility,
          product: b.product,
          kgCo2e: num(b.kgCo2e),
        })),
      };
    case 'method-switch': {
      const metrics = ['yieldDelta', 'throughputDelta', 'costDelta', 'powerDelta'] as const;
      return {
        title: `${name}: alternative method against the base`,
        mark: 'bar',
        x: { field: 'metric', title: 'Metric', type: 'nominal' },
        y: { field: 'delta', title: 'Change' },
        series: 'metric',
        rows: metrics.map((metric) => ({ metric, delta: num(outcome.result[metric]) })),
      };
    }
  }
}
