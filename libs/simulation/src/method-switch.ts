/**
 * Production-method switch: what changes when a step moves from one process to another (e.g. EUV
 * exposure versus nanoimprint lithography). A method is described per unit *processed*: `unitsPerDay`
 * started, `yield` of them good, `costPerUnit` and `kWhPerUnit` per unit started. Per good unit the
 * cost and the energy are therefore divided by the yield:
 *
 *   good units/day = unitsPerDay × yield
 *   cost per good unit = costPerUnit / yield
 *   kWh per good unit = kWhPerUnit / yield
 *
 * Deltas are alt − base; `relative` holds alt / base − 1 for each of yield, throughput, cost and power.
 */
import { invalidScenario, type Twin } from './model.js';

export interface ProcessMethod {
  name: string;
  yield: number;
  unitsPerDay: number;
  costPerUnit: number;
  kWhPerUnit: number;
}

export interface MethodComparison {
  yieldDelta: number;
  /** good units/day */
  throughputDelta: number;
  /** per good unit */
  costDelta: number;
  /** kWh per good unit */
  powerDelta: number;
  relative: Record<string, number>;
  /** The figures the deltas come from. */
  base?: MethodFigures;
  alt?: MethodFigures;
}

export interface MethodFigures {
  name: string;
  goodUnitsPerDay: number;
  costPerGoodUnit: number;
  kWhPerGoodUnit: number;
  kWhPerDay: number;
}

function check(m: ProcessMethod, path: string): void {
  if (!(m.yield > 0 && m.yield <= 1))
    throw invalidScenario(`${m.name}: yield must be in (0, 1]`, `${path}/yield`);
  for (const key of ['unitsPerDay', 'costPerUnit', 'kWhPerUnit'] as const) {
    if (!(m[key] >= 0 && Number.isFinite(m[key]))) {
      throw invalidScenario(`${m.name}: ${key} must be a non-negative number`, `${path}/${key}`);
    }
  }
}

export function figures(m: ProcessMethod): MethodFigures {
  return {
    name: m.name,
    goodUnitsPerDay: m.unitsPerDay * m.yield,
    costPerGoodUnit: m.costPerUnit / m.yield,
    kWhPerGoodUnit: m.kWhPerUnit / m.yield,
    kWhPerDay: m.kWhPerUnit * m.unitsPerDay,
  };
}

const rel = (alt: number, base: number) => (base === 0 ? (alt === 0 ? 0 : Infinity) : alt / base - 1);

export function compareMethods(base: ProcessMethod, alt: ProcessMethod): MethodComparison {
  check(base, '/base');
  check(alt, '/alt');
  const b = figures(base);
  const a = figures(alt);
  return {
    yieldDelta: alt.yield - base.yield,
    throughputDelta: a.goodUnitsPerDay - b.goodUnitsPerDay,
    costDelta: a.costPerGoodUnit - b.costPerGoodUnit,
    powerDelta: a.kWhPerGoodUnit - b.kWhPerGoodUnit,
    relative: {
      yield: rel(alt.yield, base.yield),
      throughput: rel(a.goodUnitsPerDay, b.goodUnitsPerDay),
      cost: rel(a.costPerGoodUnit, b.costPerGoodUnit),
      power: rel(a.kWhPerGoodUnit, b.kWhPerGoodUnit),
    },
    base: b,
    alt: a,
  };
}

/**
 * A copy of the twin with one facility switched to a method (capacity, yield, cost, energy), to run the
 * network scenarios on the switched chain.
 */
export function applyMethod(twin: Twin, facilityId: string, m: ProcessMethod): Twin {
  check(m, '/method');
  if (!twin.facilities.some((f) => f.id === facilityId)) {
    throw invalidScenario(`no facility ${facilityId} in the twin`, '/facility');
  }
  return {
    ...twin,
    facilities: twin.facilities.map((f) =>
      f.id === facilityId
        ? {
            ...f,
            inputStock: { ...f.inputStock },
            capacityPerDay: m.unitsPerDay,
            yield: m.yield,
            costPerUnit: m.costPerUnit,
            kWhPerUnit: m.kWhPerUnit,
          }
        : f,
    ),
  };
}
