/**
 * The digital twin's data model: a multi-tier supply network (facilities, bills of materials, supply links
 * with shares, stock) and a medical region (hospitals, beds, admissions). Plain JSON-serialisable data; the
 * twin is built only from stream events (twin.ts) and every simulation reads a snapshot of it.
 *
 * Units are whatever the product is counted in (kg of fluorite, blanks, lenses, tools); every rate is per
 * day. A facility makes one product.
 */
import { DomainError } from '@renkei/domain';

export interface Facility {
  id: string;
  name: string;
  /** Participant id of the originator that declared it. */
  owner: string;
  /** ISO 3166-1 alpha-2 country code. */
  country: string;
  product: string;
  /** Units the facility can start per day (before yield loss). */
  capacityPerDay: number;
  /** Days from shipping to arrival at a customer (production-to-dock plus transport), unless a link overrides it. */
  leadTimeDays: number;
  /** Share of started units that are good, 0..1. */
  yield: number;
  /** Finished good units on hand (the facility keeps this level as safety stock in the simulation). */
  outputStock: number;
  /** Input units on hand, by input product. */
  inputStock: Record<string, number>;
  /** Process emissions of this step per good unit of output (kg CO2e), excluding its inputs. */
  kgCo2ePerUnit: number;
  /** Cost per unit started (for the method comparison). */
  costPerUnit?: number;
  /** Electricity per unit started (kWh). */
  kWhPerUnit?: number;
}

export interface BomLine {
  product: string;
  input: string;
  /**
   * Input units per unit of output started. Per good unit it is `ratio / yield` of the facility making it.
   * An input with no supply link at a facility is treated as external (always available).
   */
  ratio: number;
}

export interface SupplyLink {
  /** The consuming facility. */
  facility: string;
  input: string;
  /** The supplying facility's id. */
  supplier: string;
  /** 0..1, the consumer's share of this input bought from this supplier; per facility+input they sum to 1. */
  share: number;
  /** Overrides the supplier's leadTimeDays for this lane (e.g. sea freight from one country). */
  leadTimeDays?: number;
}

export interface Hospital {
  id: string;
  name: string;
  owner: string;
  region: string;
  beds: number;
  occupied: number;
  dailyAdmissionsMean: number;
  meanStayDays: number;
  /** Road distance to other hospitals, by hospital id (either direction is enough). */
  distanceKm?: Record<string, number>;
}

export interface TwinSource {
  dataset: string;
  lastEventId: string | null;
  /** Events consumed from this dataset (applied or ignored). */
  events: number;
  /** Of those, events the builder could not apply (unknown type, malformed payload, unknown facility). */
  ignored?: number;
}

export interface Twin {
  /** The latest `occurredAt` among the events applied (ISO 8601), null for an empty twin. */
  asOf: string | null;
  facilities: Facility[];
  bom: BomLine[];
  links: SupplyLink[];
  hospitals: Hospital[];
  /** ids of the events applied, for lineage */
  sources: TwinSource[];
}

export const emptyTwin = (): Twin => ({
  asOf: null,
  facilities: [],
  bom: [],
  links: [],
  hospitals: [],
  sources: [],
});

/** A scenario the engine cannot run (bad parameters, nothing matched, a cycle in a bill of materials). */
export const invalidScenario = (message: string, path = '/scenario') =>
  new DomainError('SIMULATION.INVALID_SCENARIO', 'unprocessable', message, {
    details: [{ path, message }],
  });

/** Problems in a twin the engine works around (documented fallbacks), for the service to show. */
export function checkTwin(twin: Twin): string[] {
  const problems: string[] = [];
  const byId = new Map(twin.facilities.map((f) => [f.id, f]));
  const shareSums = new Map<string, number>();
  for (const l of twin.links) {
    const consumer = byId.get(l.facility);
    const supplier = byId.get(l.supplier);
    if (!consumer) problems.push(`link ${l.supplier}→${l.facility}: unknown consumer ${l.facility}`);
    if (!supplier) problems.push(`link ${l.supplier}→${l.facility}: unknown supplier ${l.supplier}`);
    if (supplier && supplier.product !== l.input) {
      problems.push(
        `link ${l.supplier}→${l.facility}: ${l.supplier} makes ${supplier.product}, not ${l.input}`,
      );
    }
    const key = `${l.facility}|${l.input}`;
    shareSums.set(key, (shareSums.get(key) ?? 0) + l.share);
  }
  for (const [key, sum] of shareSums) {
    if (Math.abs(sum - 1) > 1e-9) {
      problems.push(`shares of ${key.replace('|', ' / ')} sum to ${sum} (normalised to 1)`);
    }
  }
  for (const f of twin.facilities) {
    for (const line of twin.bom) {
      if (line.product === f.product && !shareSums.has(`${f.id}|${line.input}`)) {
        problems.push(
          `${f.id}: no supplier of ${line.input} in the twin (treated as external, always available)`,
        );
      }
    }
    if (f.yield <= 0 || f.yield > 1) problems.push(`${f.id}: yield ${f.yield} outside (0, 1]`);
  }
  return problems;
}
