/**
 * The digital twin, built only from stream events. Replaying the same events in the same order rebuilds
 * it exactly (same snapshot, same digest): the builder keeps no clock, no randomness and no iteration
 * order that depends on anything but the events.
 *
 * Event types the builder understands (the service's contracts use these payloads; dataset ids are the
 * service's choice, dispatch is on `type`):
 *
 * | type                 | payload                                                     | effect |
 * | -------------------- | ----------------------------------------------------------- | ------ |
 * | `facility.declared`  | `{ facility: Facility }`                                    | adds or replaces the facility (all fields) |
 * | `bom.declared`       | `{ lines: BomLine[] }`                                      | the lines are the complete recipe of every product they name: that product's earlier lines are replaced |
 * | `supply.declared`    | `{ links: SupplyLink[] }`                                   | the links are the complete sourcing of every facility+input they name: earlier links of that pair are replaced |
 * | `inventory.snapshot` | `{ facilityId, outputStock, inputStock }`                   | sets the facility's stock (inputStock replaced as a whole) |
 * | `production`         | `{ facilityId, units, day? }`                               | `units` good units added to output stock; the inputs it used (`units / yield × ratio` per BOM input the facility tracks in inputStock) are taken out |
 * | `shipment`           | `{ from, to, input, units }`                                | `from`'s output stock minus units, `to`'s inputStock[input] plus units (either side may be outside the twin) |
 * | `emission`           | `{ facilityId, kgCo2ePerUnit }`                             | sets the facility's process emissions per unit (a carbon footprint record) |
 * | `hospital.declared`  | `{ hospital: Hospital }`                                    | adds or replaces the hospital |
 * | `bed.occupancy`      | `{ hospitalId, occupied, beds? }`                           | sets occupancy (and bed count when given) |
 * | `admission`          | `{ hospitalId }`                                            | occupied + 1 |
 * | `discharge`          | `{ hospitalId }`                                            | occupied - 1 (not below 0) |
 *
 * An event of another type, with a malformed payload or naming a facility/hospital the twin does not have
 * is consumed but not applied: it counts in its source's `ignored` (and `problems()` says why).
 *
 * Stock deltas are not clamped, so a shipment recorded before the production that made it leaves a
 * transient negative stock that the next event (or inventory snapshot) corrects; the simulations read
 * negative stock as zero.
 *
 * The snapshot lists facilities and hospitals by id, BOM lines by product then input, links by facility,
 * input then supplier, sources by dataset: an order that does not depend on the order of declarations.
 * When the service replays several topics it must merge them in a fixed order for the result to be
 * exact (`compareEvents`: occurredAt, then dataset, then id), because a snapshot and a delta to the same
 * stock do not commute.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { BomLine, Facility, Hospital, SupplyLink, Twin, TwinSource } from './model.js';

export type TwinEvent = {
  dataset: string;
  id: string;
  type: string;
  subject?: string;
  occurredAt: string;
  payload: Record<string, unknown>;
};

export type TwinEventType =
  | 'facility.declared'
  | 'bom.declared'
  | 'supply.declared'
  | 'inventory.snapshot'
  | 'production'
  | 'shipment'
  | 'emission'
  | 'hospital.declared'
  | 'bed.occupancy'
  | 'admission'
  | 'discharge';

export const TWIN_EVENT_TYPES: readonly TwinEventType[] = [
  'facility.declared',
  'bom.declared',
  'supply.declared',
  'inventory.snapshot',
  'production',
  'shipment',
  'emission',
  'hospital.declared',
  'bed.occupancy',
  'admission',
  'discharge',
];

/** The merge order for replaying several topics into one twin: occurredAt, then dataset, then id. */
export function compareEvents(a: TwinEvent, b: TwinEvent): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? -1 : 1;
  if (a.dataset !== b.dataset) return a.dataset < b.dataset ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

type Payload = Record<string, unknown>;
class Malformed extends Error {}

const isObject = (x: unknown): x is Payload => typeof x === 'object' && x !== null && !Array.isArray(x);

function str(p: Payload, key: string): string {
  const v = p[key];
  if (typeof v !== 'string' || v.length === 0) throw new Malformed(`${key} must be a non-empty string`);
  return v;
}
function num(p: Payload, key: string, min = -Infinity, max = Infinity): number {
  const v = p[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new Malformed(`${key} must be a number in [${min}, ${max}]`);
  }
  return v;
}
/** A number in (0, 1]. */
function fraction(p: Payload, key: string): number {
  const v = p[key];
  if (typeof v !== 'number' || !(v > 0 && v <= 1)) throw new Malformed(`${key} must be a number in (0, 1]`);
  return v;
}
function optNum(p: Payload, key: string, min = -Infinity): number | undefined {
  return p[key] === undefined ? undefined : num(p, key, min);
}
function obj(p: Payload, key: string): Payload {
  const v = p[key];
  if (!isObject(v)) throw new Malformed(`${key} must be an object`);
  return v;
}
function arr(p: Payload, key: string): unknown[] {
  const v = p[key];
  if (!Array.isArray(v)) throw new Malformed(`${key} must be an array`);
  return v as unknown[];
}
function numberRecord(p: Payload, key: string): Record<string, number> {
  const v = obj(p, key);
  const out: Record<string, number> = {};
  for (const k of Object.keys(v).sort()) out[k] = num(v, k);
  return out;
}

export function parseFacility(x: unknown): Facility {
  if (!isObject(x)) throw new Malformed('facility must be an object');
  const f: Facility = {
    id: str(x, 'id'),
    name: str(x, 'name'),
    owner: str(x, 'owner'),
    country: str(x, 'country'),
    product: str(x, 'product'),
    capacityPerDay: num(x, 'capacityPerDay', 0),
    leadTimeDays: num(x, 'leadTimeDays', 0),
    yield: fraction(x, 'yield'),
    outputStock: num(x, 'outputStock'),
    inputStock: numberRecord(x, 'inputStock'),
    kgCo2ePerUnit: num(x, 'kgCo2ePerUnit', 0),
  };
  const cost = optNum(x, 'costPerUnit', 0);
  if (cost !== undefined) f.costPerUnit = cost;
  const kwh = optNum(x, 'kWhPerUnit', 0);
  if (kwh !== undefined) f.kWhPerUnit = kwh;
  return f;
}

export function parseHospital(x: unknown): Hospital {
  if (!isObject(x)) throw new Malformed('hospital must be an object');
  const h: Hospital = {
    id: str(x, 'id'),
    name: str(x, 'name'),
    owner: str(x, 'owner'),
    region: str(x, 'region'),
    beds: num(x, 'beds', 0),
    occupied: num(x, 'occupied', 0),
    dailyAdmissionsMean: num(x, 'dailyAdmissionsMean', 0),
    meanStayDays: num(x, 'meanStayDays', 1),
  };
  if (x.distanceKm !== undefined) h.distanceKm = numberRecord(x, 'distanceKm');
  return h;
}

function parseBomLine(x: unknown): BomLine {
  if (!isObject(x)) throw new Malformed('a BOM line must be an object');
  return { product: str(x, 'product'), input: str(x, 'input'), ratio: num(x, 'ratio', 0) };
}

function parseLink(x: unknown): SupplyLink {
  if (!isObject(x)) throw new Malformed('a supply link must be an object');
  const l: SupplyLink = {
    facility: str(x, 'facility'),
    input: str(x, 'input'),
    supplier: str(x, 'supplier'),
    share: num(x, 'share', 0, 1),
  };
  const lead = optNum(x, 'leadTimeDays', 0);
  if (lead !== undefined) l.leadTimeDays = lead;
  return l;
}

const copyFacility = (f: Facility): Facility => ({ ...f, inputStock: { ...f.inputStock } });
const copyHospital = (h: Hospital): Hospital =>
  h.distanceKm ? { ...h, distanceKm: { ...h.distanceKm } } : { ...h };
const byKey =
  <T>(...keys: ((x: T) => string)[]) =>
  (a: T, b: T) => {
    for (const k of keys) {
      const x = k(a);
      const y = k(b);
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };

export class TwinBuilder {
  private asOf: string | null = null;
  private readonly facilities = new Map<string, Facility>();
  /** product -> its BOM lines */
  private readonly bom = new Map<string, BomLine[]>();
  /** `${facility}\u0000${input}` -> links */
  private readonly links = new Map<string, SupplyLink[]>();
  private readonly hospitals = new Map<string, Hospital>();
  private readonly sources = new Map<string, Required<TwinSource>>();
  private readonly recentProblems: { eventId: string; dataset: string; reason: string }[] = [];

  constructor(base?: Twin) {
    if (!base) return;
    this.asOf = base.asOf;
    for (const f of base.facilities) this.facilities.set(f.id, copyFacility(f));
    for (const line of base.bom) {
      const lines = this.bom.get(line.product) ?? [];
      lines.push({ ...line });
      this.bom.set(line.product, lines);
    }
    for (const l of base.links) {
      const key = `${l.facility}\u0000${l.input}`;
      const links = this.links.get(key) ?? [];
      links.push({ ...l });
      this.links.set(key, links);
    }
    for (const h of base.hospitals) this.hospitals.set(h.id, copyHospital(h));
    for (const s of base.sources) this.sources.set(s.dataset, { ...s, ignored: s.ignored ?? 0 });
  }

  apply(event: TwinEvent): void {
    const source = this.sources.get(event.dataset) ?? {
      dataset: event.dataset,
      lastEventId: null,
      events: 0,
      ignored: 0,
    };
    this.sources.set(event.dataset, source);
    source.events++;
    source.lastEventId = event.id;
    if (this.asOf === null || event.occurredAt > this.asOf) this.asOf = event.occurredAt;
    try {
      if (!isObject(event.payload)) throw new Malformed('payload must be an object');
      this.dispatch(event.type, event.payload);
    } catch (e) {
      if (!(e instanceof Malformed)) throw e;
      source.ignored++;
      this.recentProblems.push({ eventId: event.id, dataset: event.dataset, reason: e.message });
      if (this.recentProblems.length > 100) this.recentProblems.shift();
    }
  }

  /** Why the most recent ignored events (up to 100) were not applied. */
  problems(): readonly { eventId: string; dataset: string; reason: string }[] {
    return this.recentProblems;
  }

  private facility(id: string): Facility {
    const f = this.facilities.get(id);
    if (!f) throw new Malformed(`unknown facility ${id}`);
    return f;
  }

  private hospital(id: string): Hospital {
    const h = this.hospitals.get(id);
    if (!h) throw new Malformed(`unknown hospital ${id}`);
    return h;
  }

  private dispatch(type: string, p: Payload): void {
    switch (type as TwinEventType) {
      case 'facility.declared': {
        const f = parseFacility(p.facility);
        this.facilities.set(f.id, f);
        return;
      }
      case 'bom.declared': {
        const lines = arr(p, 'lines').map(parseBomLine);
        const byProduct = new Map<string, BomLine[]>();
        for (const l of lines) byProduct.set(l.product, [...(byProduct.get(l.product) ?? []), l]);
        for (const [product, ls] of byProduct) this.bom.set(product, ls);
        return;
      }
      case 'supply.declared': {
        const links = arr(p, 'links').map(parseLink);
        const byPair = new Map<string, SupplyLink[]>();
        for (const l of links) {
          const key = `${l.facility}\u0000${l.input}`;
          byPair.set(key, [...(byPair.get(key) ?? []), l]);
        }
        for (const [key, ls] of byPair) this.links.set(key, ls);
        return;
      }
      case 'inventory.snapshot': {
        const f = this.facility(str(p, 'facilityId'));
        const outputStock = num(p, 'outputStock');
        const inputStock = numberRecord(p, 'inputStock');
        f.outputStock = outputStock;
        f.inputStock = inputStock;
        return;
      }
      case 'production': {
        const f = this.facility(str(p, 'facilityId'));
        const units = num(p, 'units', 0);
        if (p.day !== undefined) num(p, 'day');
        f.outputStock += units;
        const started = units / f.yield;
        for (const line of this.bom.get(f.product) ?? []) {
          const have = f.inputStock[line.input];
          if (have !== undefined) f.inputStock[line.input] = have - started * line.ratio;
        }
        return;
      }
      case 'shipment': {
        const from = str(p, 'from');
        const to = str(p, 'to');
        const input = str(p, 'input');
        const units = num(p, 'units', 0);
        const supplier = this.facilities.get(from);
        const consumer = this.facilities.get(to);
        if (!supplier && !consumer) throw new Malformed(`neither ${from} nor ${to} is in the twin`);
        if (supplier) supplier.outputStock -= units;
        if (consumer) consumer.inputStock[input] = (consumer.inputStock[input] ?? 0) + units;
        return;
      }
      case 'emission': {
        const f = this.facility(str(p, 'facilityId'));
        f.kgCo2ePerUnit = num(p, 'kgCo2ePerUnit', 0);
        return;
      }
      case 'hospital.declared': {
        const h = parseHospital(p.hospital);
        this.hospitals.set(h.id, h);
        return;
      }
      case 'bed.occupancy': {
        const h = this.hospital(str(p, 'hospitalId'));
        const occupied = num(p, 'occupied', 0);
        const beds = optNum(p, 'beds', 0);
        h.occupied = occupied;
        if (beds !== undefined) h.beds = beds;
        return;
      }
      case 'admission':
        this.hospital(str(p, 'hospitalId')).occupied += 1;
        return;
      case 'discharge': {
        const h = this.hospital(str(p, 'hospitalId'));
        h.occupied = Math.max(0, h.occupied - 1);
        return;
      }
      default:
        throw new Malformed(`unknown event type ${type}`);
    }
  }

  snapshot(): Twin {
    const facilities = [...this.facilities.values()].map(copyFacility).sort(byKey((f) => f.id));
    const bom = [...this.bom.values()]
      .flat()
      .map((l) => ({ ...l }))
      .sort(
        byKey(
          (l) => l.product,
          (l) => l.input,
        ),
      );
    const links = [...this.links.values()]
      .flat()
      .map((l) => ({ ...l }))
      .sort(
        byKey(
          (l) => l.facility,
          (l) => l.input,
          (l) => l.supplier,
        ),
      );
    const hospitals = [...this.hospitals.values()].map(copyHospital).sort(byKey((h) => h.id));
    const sources = [...this.sources.values()].map((s) => ({ ...s })).sort(byKey((s) => s.dataset));
    return { asOf: this.asOf, facilities, bom, links, hospitals, sources };
  }

  /** sha256 (hex) of the snapshot's canonical JSON (RFC 8785): equal twins, equal digests. */
  digest(): string {
    return twinDigest(this.snapshot());
  }
}

export function twinDigest(twin: Twin): string {
  return createHash('sha256')
    .update(canonicalize(twin) ?? '')
    .digest('hex');
}

/** Builds a twin from events (in the given order). */
export function buildTwin(events: Iterable<TwinEvent>, base?: Twin): Twin {
  const b = new TwinBuilder(base);
  for (const e of events) b.apply(e);
  return b.snapshot();
}

export interface EventsForTwinOptions {
  /** Event ids are `${idPrefix}-0001`, … */
  idPrefix: string;
  /** occurredAt of the first event; each next event is `stepSeconds` later. */
  startAt: string;
  stepSeconds?: number;
  /** Dataset ids per kind of stream (defaults: cps.network, cps.inventory, cps.emissions, health.hospitals, health.beds). */
  datasets?: Partial<Record<'network' | 'inventory' | 'emissions' | 'hospitals' | 'beds', string>>;
}

/**
 * The events that rebuild a twin's network and hospitals from nothing, as the originators would publish
 * them: declarations first (facilities without stock or emissions, BOM per product, sourcing per
 * facility+input, hospitals without occupancy), then one inventory snapshot and one emission record per
 * facility and one occupancy record per hospital. `buildTwin(eventsForTwin(t, o))` equals `t` apart from
 * asOf and sources, which the events set.
 */
export function eventsForTwin(twin: Twin, o: EventsForTwinOptions): TwinEvent[] {
  const ds = {
    network: 'cps.network',
    inventory: 'cps.inventory',
    emissions: 'cps.emissions',
    hospitals: 'health.hospitals',
    beds: 'health.beds',
    ...o.datasets,
  };
  const start = Date.parse(o.startAt);
  if (Number.isNaN(start)) throw new Error(`startAt is not a date: ${o.startAt}`);
  const step = (o.stepSeconds ?? 1) * 1000;
  const events: TwinEvent[] = [];
  const push = (dataset: string, type: TwinEventType, subject: string, payload: Payload) => {
    const n = events.length;
    events.push({
      dataset,
      id: `${o.idPrefix}-${String(n + 1).padStart(4, '0')}`,
      type,
      subject,
      occurredAt: new Date(start + n * step).toISOString(),
      payload,
    });
  };
  for (const f of twin.facilities) {
    push(ds.network, 'facility.declared', f.id, {
      facility: { ...f, outputStock: 0, inputStock: {}, kgCo2ePerUnit: 0 },
    });
  }
  const products = [...new Set(twin.bom.map((l) => l.product))];
  for (const product of products) {
    push(ds.network, 'bom.declared', product, {
      lines: twin.bom.filter((l) => l.product === product).map((l) => ({ ...l })),
    });
  }
  const pairs = [...new Set(twin.links.map((l) => `${l.facility}\u0000${l.input}`))];
  for (const pair of pairs) {
    const links = twin.links.filter((l) => `${l.facility}\u0000${l.input}` === pair).map((l) => ({ ...l }));
    push(ds.network, 'supply.declared', links[0]?.facility ?? '', { links });
  }
  for (const h of twin.hospitals)
    push(ds.hospitals, 'hospital.declared', h.id, { hospital: { ...h, occupied: 0 } });
  for (const f of twin.facilities) {
    push(ds.inventory, 'inventory.snapshot', f.id, {
      facilityId: f.id,
      outputStock: f.outputStock,
      inputStock: { ...f.inputStock },
    });
  }
  for (const f of twin.facilities) {
    push(ds.emissions, 'emission', f.id, { facilityId: f.id, kgCo2ePerUnit: f.kgCo2ePerUnit });
  }
  for (const h of twin.hospitals) {
    push(ds.beds, 'bed.occupancy', h.id, { hospitalId: h.id, occupied: h.occupied, beds: h.beds });
  }
  return events;
}
