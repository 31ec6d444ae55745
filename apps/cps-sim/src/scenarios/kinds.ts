import {
  compareMethods,
  forecastOccupancy,
  rollUpCfp,
  simulateDisruption,
  type Twin,
} from '#libs/simulation';
import type { ChartSeries } from '../charts/chart.js';
import type { ScenarioKind } from './params.js';

export { seeded, ScenarioKinds, type ScenarioKind } from './params.js';

/** Runs one scenario on a frozen twin (pure: the same twin, params and seed give the same result). */
export function execute(
  kind: ScenarioKind,
  twin: Twin,
  params: Record<string, unknown>,
  onProgress?: (fraction: number) => void,
): Record<string, unknown> {
  // The engine reports (done, total); the API reports a fraction.
  const progress = onProgress
    ? (done: number, total: number) => onProgress(total > 0 ? Math.min(1, done / total) : 1)
    : undefined;
  switch (kind) {
    case 'disruption':
      return simulateDisruption(
        twin,
        params as unknown as Parameters<typeof simulateDisruption>[1],
        progress,
      ) as unknown as Record<string, unknown>;
    case 'method-switch': {
      const p = params as { base: unknown; alt: unknown };
      return compareMethods(
        p.base as Parameters<typeof compareMethods>[0],
        p.alt as Parameters<typeof compareMethods>[1],
      ) as unknown as Record<string, unknown>;
    }
    case 'cfp-rollup':
      return rollUpCfp(twin, (params as { product: string }).product) as unknown as Record<string, unknown>;
    case 'hospital-occupancy':
      return forecastOccupancy(
        twin,
        params as unknown as Parameters<typeof forecastOccupancy>[1],
        progress,
      ) as unknown as Record<string, unknown>;
  }
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The main series of a result, as rows a chart can take directly. */
export function chartOf(kind: ScenarioKind, name: string, result: Record<string, unknown>): ChartSeries {
  switch (kind) {
    case 'disruption': {
      const series = (result.series ?? []) as { day: number; output: Record<string, number> }[];
      return {
        title: `${name}: output per product`,
        mark: 'line',
        x: { field: 'day', title: 'Day', type: 'quantitative' },
        y: { field: 'units', title: 'Units per day' },
        series: 'product',
        rows: series.flatMap((point) =>
          Object.entries(point.output)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([product, units]) => ({ day: point.day, product, units: num(units) })),
        ),
      };
    }
    case 'hospital-occupancy': {
      const hospitals = (result.hospitals ?? []) as {
        id: string;
        series: { day: number; p50: number; p90: number }[];
      }[];
      return {
        title: `${name}: bed occupancy`,
        mark: 'line',
        x: { field: 'day', title: 'Day', type: 'quantitative' },
        y: { field: 'occupancy', title: 'Occupied beds' },
        series: 'hospital',
        dash: 'quantile',
        rows: hospitals.flatMap((h) =>
          h.series.flatMap((point) => [
            { day: point.day, hospital: h.id, quantile: 'p50', occupancy: num(point.p50) },
            { day: point.day, hospital: h.id, quantile: 'p90', occupancy: num(point.p90) },
          ]),
        ),
      };
    }
    case 'cfp-rollup': {
      const breakdown = (result.breakdown ?? []) as { facility: string; product: string; kgCo2e: number }[];
      return {
        title: `${name}: kg CO2e per unit by facility`,
        mark: 'bar',
        x: { field: 'facility', title: 'Facility', type: 'nominal' },
        y: { field: 'kgCo2e', title: 'kg CO2e per unit' },
        series: 'product',
        rows: breakdown.map((b) => ({ facility: b.facility, product: b.product, kgCo2e: num(b.kgCo2e) })),
      };
    }
    case 'method-switch': {
      const metrics = ['yieldDelta', 'throughputDelta', 'costDelta', 'powerDelta'];
      return {
        title: `${name}: alternative method against the base`,
        mark: 'bar',
        x: { field: 'metric', title: 'Metric', type: 'nominal' },
        y: { field: 'delta', title: 'Change' },
        series: 'metric',
        rows: metrics.map((metric) => ({ metric, delta: num(result[metric]) })),
      };
    }
  }
}
