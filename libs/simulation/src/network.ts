/**
 * The supply network in compiled, typed-array form, and the daily discrete-time model the supply-chain
 * simulations run on it (the hot loop the benchmark measures).
 *
 * ## The model
 *
 * Time moves in whole days. Facilities are kept in topological order (suppliers before customers), so a
 * shipment with a lead time of 0 reaches its customer the same day. Each day, each facility f:
 *
 * 1. **receives** what arrives today on each of its supplied inputs (a pipeline per input, one slot per
 *    day of lead time) into its input stock;
 * 2. **produces**: it starts `min(capacity, what its input stock allows by BOM ratio, what it needs)`
 *    units, with `capacity` multiplied by `1 + capacityNoise·(2u-1)` in a Monte Carlo run. A facility with
 *    customers needs enough to ship today's demand plus its backlog and to restore its output stock to its
 *    starting level (its safety stock): `(demand + backlog + stock0 - stock) / yield`. A facility without
 *    customers in the twin (the end of a chain) runs at its planned rate. It consumes `started × ratio` of
 *    each input and adds `started × yield` good units to its output stock. Inputs with no supplier in the
 *    twin are external and never limit production;
 * 3. **ships** `min(output stock, demand + backlog)` to its customers, split in proportion to the planned
 *    flow on each link, arriving `leadTimeDays` later (the link's, else the supplier's; in a Monte Carlo
 *    run each shipment's lead time is `round(L·(1 + leadTimeJitter·(2u-1)))`). What it could not ship is
 *    backlog, shipped later when it can (catch-up needs spare capacity).
 *
 * A stopped facility (a disruption) starts nothing and ships nothing for the disruption's days; its
 * customers' demand on it accumulates as its backlog.
 *
 * **The plan.** Demand comes from a steady-state plan computed when the network is compiled: ends of
 * chains plan to run at capacity; going upstream, each facility's planned rate is what its customers
 * need from it (their rate × BOM ratio × link share, divided by its yield), capped by its capacity; then
 * a forward pass cuts every rate to what its suppliers can actually deliver, and the two passes repeat
 * until nothing changes. The planned flows are what each link carries per day, and the pipelines start
 * full at those flows (goods already in transit), so an undisturbed run without noise is flat: every
 * facility makes exactly its planned rate every day. Spare capacity is `capacity - planned rate`.
 *
 * Everything the loop touches lives in typed arrays allocated once per simulation; no allocation happens
 * per facility-day. Random numbers are drawn in a fixed pattern (one per facility-day for capacity noise,
 * one per link-day for lead-time jitter, whether or not anything ships), so a disrupted run and its
 * baseline with the same stream see the same noise (common random numbers).
 */
import { invalidScenario, type Twin } from './model.js';
import { Random } from './random.js';

export interface Plan {
  /** Units started per day, per facility. */
  start: Float64Array;
  /** Good units per day, per link. */
  flow: Float64Array;
  /** Sum of the flows on a facility's outgoing links. */
  demand: Float64Array;
}

export interface CompiledNetwork {
  /** Facilities in topological order. */
  n: number;
  ids: string[];
  index: Map<string, number>;
  countries: string[];
  /** Distinct products, sorted; `product[f]` indexes this. */
  products: string[];
  product: Int32Array;
  capacity: Float64Array;
  yld: Float64Array;
  invYield: Float64Array;
  /** 1 for a facility without customers in the twin. */
  sink: Uint8Array;
  /** Starting output stock, also the safety stock a facility restores. */
  outStock0: Float64Array;

  /** Input slots (supplied BOM inputs), CSR by facility: slots of f are inStart[f] .. inStart[f+1]-1. */
  slots: number;
  inStart: Int32Array;
  slotFacility: Int32Array;
  slotInput: string[];
  ratio: Float64Array;
  invRatio: Float64Array;
  stock0: Float64Array;

  /** Supply links, CSR by supplier: links of f are outStart[f] .. outStart[f+1]-1. */
  links: number;
  outStart: Int32Array;
  linkSupplier: Int32Array;
  linkConsumer: Int32Array;
  linkSlot: Int32Array;
  /** Shares normalised per consumer+input. */
  linkShare: Float64Array;
  /** Lead time in days (at least 1 on a link against the topological order, i.e. inside a cycle). */
  linkLead: Int32Array;
  linkMinLead: Int32Array;
  /** Links of each slot, CSR: slotLinks[slotLinkStart[k] .. slotLinkStart[k+1]-1]. */
  slotLinkStart: Int32Array;
  slotLinks: Int32Array;
  maxLead: number;

  base: Plan;
}

/** Compiles a twin's network (hospitals are not part of it). */
export function compileNetwork(twin: Twin): CompiledNetwork {
  const facilities = [...twin.facilities].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byId = new Map(facilities.map((f, i) => [f.id, i]));
  // BOM per product, duplicate lines for the same input summed.
  const recipe = new Map<string, Map<string, number>>();
  for (const line of twin.bom) {
    const r = recipe.get(line.product) ?? new Map<string, number>();
    r.set(line.input, (r.get(line.input) ?? 0) + line.ratio);
    recipe.set(line.product, r);
  }
  // Links that connect two known facilities on an input of the consumer's recipe.
  const valid = twin.links.filter((l) => {
    const c = byId.get(l.facility);
    const s = byId.get(l.supplier);
    if (c === undefined || s === undefined || c === s) return false;
    return recipe.get(facilities[c]!.product)?.has(l.input) ?? false;
  });

  // Topological order (Kahn, ties in id order); facilities left in cycles follow in id order.
  const m = facilities.length;
  const consumersOf: number[][] = Array.from({ length: m }, () => []);
  const indegree = new Int32Array(m);
  for (const l of valid) {
    consumersOf[byId.get(l.supplier)!]!.push(byId.get(l.facility)!);
    indegree[byId.get(l.facility)!]!++;
  }
  for (const cs of consumersOf) cs.sort((a, b) => a - b);
  const order: number[] = [];
  const placed = new Uint8Array(m);
  const queue: number[] = [];
  for (let i = 0; i < m; i++) if (indegree[i] === 0) queue.push(i);
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head]!;
    order.push(i);
    placed[i] = 1;
    for (const c of consumersOf[i]!) if (--indegree[c]! === 0) queue.push(c);
  }
  for (let i = 0; i < m; i++) if (!placed[i]) order.push(i);
  const pos = new Int32Array(m);
  order.forEach((orig, p) => (pos[orig] = p));

  const n = m;
  const ids = order.map((i) => facilities[i]!.id);
  const index = new Map(ids.map((id, i) => [id, i]));
  const productNames = [...new Set(facilities.map((f) => f.product))].sort();
  const productIndex = new Map(productNames.map((p, i) => [p, i]));
  const product = new Int32Array(n);
  const capacity = new Float64Array(n);
  const yld = new Float64Array(n);
  const invYield = new Float64Array(n);
  const outStock0 = new Float64Array(n);
  const countries: string[] = [];
  order.forEach((orig, f) => {
    const fac = facilities[orig]!;
    product[f] = productIndex.get(fac.product)!;
    capacity[f] = Math.max(0, fac.capacityPerDay);
    yld[f] = fac.yield;
    invYield[f] = 1 / fac.yield;
    outStock0[f] = Math.max(0, fac.outputStock);
    countries.push(fac.country);
  });

  // Input slots: the recipe's inputs that have at least one valid link, per facility in order.
  const linksByPair = new Map<string, typeof valid>();
  for (const l of valid) {
    const key = `${l.facility}\u0000${l.input}`;
    linksByPair.set(key, [...(linksByPair.get(key) ?? []), l]);
  }
  const inStart = new Int32Array(n + 1);
  const slotFacilityList: number[] = [];
  const slotInput: string[] = [];
  const ratioList: number[] = [];
  const stockList: number[] = [];
  const slotOf = new Map<string, number>();
  for (let f = 0; f < n; f++) {
    inStart[f] = slotFacilityList.length;
    const fac = facilities[order[f]!]!;
    const r = recipe.get(fac.product);
    if (r) {
      for (const input of [...r.keys()].sort()) {
        if (!linksByPair.has(`${fac.id}\u0000${input}`)) continue;
        slotOf.set(`${fac.id}\u0000${input}`, slotFacilityList.length);
        slotFacilityList.push(f);
        slotInput.push(input);
        ratioList.push(r.get(input)!);
        stockList.push(Math.max(0, fac.inputStock[input] ?? 0));
      }
    }
  }
  const slots = slotFacilityList.length;
  inStart[n] = slots;
  const ratio = Float64Array.from(ratioList);
  const invRatio = ratio.map((r) => (r > 0 ? 1 / r : 0));
  const stock0 = Float64Array.from(stockList);

  // Links, CSR by supplier (then consumer, then slot).
  const rows = valid.map((l) => {
    const s = index.get(l.supplier)!;
    const c = index.get(l.facility)!;
    const lead = Math.max(0, Math.round(l.leadTimeDays ?? facilities[order[s]!]!.leadTimeDays));
    const minLead = c <= s ? 1 : 0;
    return {
      s,
      c,
      k: slotOf.get(`${l.facility}\u0000${l.input}`)!,
      share: l.share,
      lead: Math.max(lead, minLead),
      minLead,
    };
  });
  rows.sort((a, b) => a.s - b.s || a.c - b.c || a.k - b.k);
  const links = rows.length;
  const outStart = new Int32Array(n + 1);
  const linkSupplier = new Int32Array(links);
  const linkConsumer = new Int32Array(links);
  const linkSlot = new Int32Array(links);
  const linkShare = new Float64Array(links);
  const linkLead = new Int32Array(links);
  const linkMinLead = new Int32Array(links);
  let maxLead = 0;
  rows.forEach((r, l) => {
    linkSupplier[l] = r.s;
    linkConsumer[l] = r.c;
    linkSlot[l] = r.k;
    linkShare[l] = r.share;
    linkLead[l] = r.lead;
    linkMinLead[l] = r.minLead;
    if (r.lead > maxLead) maxLead = r.lead;
  });
  for (let f = 0, l = 0; f <= n; f++) {
    while (l < links && linkSupplier[l]! < f) l++;
    outStart[f] = l;
  }
  // Per-slot link lists and share normalisation (equal split when a slot's shares sum to 0).
  const slotLinkStart = new Int32Array(slots + 1);
  for (let l = 0; l < links; l++) slotLinkStart[linkSlot[l]! + 1]!++;
  for (let k = 0; k < slots; k++) slotLinkStart[k + 1]! += slotLinkStart[k]!;
  const fill = slotLinkStart.slice(0, slots);
  const slotLinks = new Int32Array(links);
  for (let l = 0; l < links; l++) slotLinks[fill[linkSlot[l]!]!++] = l;
  for (let k = 0; k < slots; k++) {
    let sum = 0;
    for (let j = slotLinkStart[k]!; j < slotLinkStart[k + 1]!; j++) sum += linkShare[slotLinks[j]!]!;
    const count = slotLinkStart[k + 1]! - slotLinkStart[k]!;
    for (let j = slotLinkStart[k]!; j < slotLinkStart[k + 1]!; j++) {
      const l = slotLinks[j]!;
      linkShare[l] = sum > 0 ? linkShare[l]! / sum : 1 / count;
    }
  }
  const sink = new Uint8Array(n);
  for (let f = 0; f < n; f++) sink[f] = outStart[f + 1] === outStart[f] ? 1 : 0;

  const net: CompiledNetwork = {
    n,
    ids,
    index,
    countries,
    products: productNames,
    product,
    capacity,
    yld,
    invYield,
    sink,
    outStock0,
    slots,
    inStart,
    slotFacility: Int32Array.from(slotFacilityList),
    slotInput,
    ratio,
    invRatio,
    stock0,
    links,
    outStart,
    linkSupplier,
    linkConsumer,
    linkSlot,
    linkShare,
    linkLead,
    linkMinLead,
    slotLinkStart,
    slotLinks,
    maxLead,
    base: { start: new Float64Array(n), flow: new Float64Array(links), demand: new Float64Array(n) },
  };
  net.base = basePlan(net);
  return net;
}

/**
 * Upstream pass: each facility's rate from what its customers' flows ask of it (ends of chains at
 * `sinkTarget`, stopped facilities at 0), and the flows it asks of its suppliers by `shares`.
 */
export function planBackward(
  net: CompiledNetwork,
  shares: Float64Array,
  sinkTarget: Float64Array,
  stopped: Uint8Array | null,
): Plan {
  const { n, capacity, invYield, sink, outStart, inStart, ratio, slotLinkStart, slotLinks } = net;
  const start = new Float64Array(n);
  const flow = new Float64Array(net.links);
  for (let f = n - 1; f >= 0; f--) {
    let p: number;
    if (stopped?.[f]) p = 0;
    else if (sink[f]) p = sinkTarget[f]!;
    else {
      let g = 0;
      for (let l = outStart[f]!; l < outStart[f + 1]!; l++) g += flow[l]!;
      p = Math.min(capacity[f]!, g * invYield[f]!);
    }
    start[f] = p;
    for (let k = inStart[f]!; k < inStart[f + 1]!; k++) {
      const need = p * ratio[k]!;
      for (let j = slotLinkStart[k]!; j < slotLinkStart[k + 1]!; j++) {
        const l = slotLinks[j]!;
        flow[l] = need * shares[l]!;
      }
    }
  }
  return { start, flow, demand: demandOf(net, flow) };
}

function demandOf(net: CompiledNetwork, flow: Float64Array): Float64Array {
  const demand = new Float64Array(net.n);
  for (let f = 0; f < net.n; f++) {
    let g = 0;
    for (let l = net.outStart[f]!; l < net.outStart[f + 1]!; l++) g += flow[l]!;
    demand[f] = g;
  }
  return demand;
}

/** The steady-state plan: backward and forward passes until the rates agree (see the module comment). */
function basePlan(net: CompiledNetwork): Plan {
  const { n, capacity, sink, yld, inStart, invRatio, slotLinkStart, slotLinks, outStart } = net;
  const sinkTarget = Float64Array.from(capacity);
  const achieved = new Float64Array(n);
  let plan = planBackward(net, net.linkShare, sinkTarget, null);
  let actual = plan.flow.slice();
  for (let iter = 0; iter < 200; iter++) {
    actual = plan.flow.slice();
    let changed = false;
    for (let f = 0; f < n; f++) {
      let a = plan.start[f]!;
      for (let k = inStart[f]!; k < inStart[f + 1]!; k++) {
        if (invRatio[k] === 0) continue;
        let inflow = 0;
        for (let j = slotLinkStart[k]!; j < slotLinkStart[k + 1]!; j++) inflow += actual[slotLinks[j]!]!;
        const allows = inflow * invRatio[k]!;
        if (allows < a) a = allows;
      }
      achieved[f] = a;
      if (a < plan.start[f]! * (1 - 1e-12) - 1e-300) changed = true;
      const good = a * yld[f]!;
      const g = plan.demand[f]!;
      const frac = g > 0 ? Math.min(1, good / g) : 0;
      for (let l = outStart[f]!; l < outStart[f + 1]!; l++) actual[l] = plan.flow[l]! * frac;
    }
    if (!changed) break;
    for (let f = 0; f < n; f++) if (sink[f]) sinkTarget[f] = Math.min(capacity[f]!, achieved[f]!);
    plan = planBackward(net, net.linkShare, sinkTarget, null);
  }
  return { start: achieved.slice(), flow: actual, demand: demandOf(net, actual) };
}

// ---------------------------------------------------------------------------------------------------
// Disruptions

export interface StopSpec {
  supplier?: string;
  country?: string;
  /** The product the stopped facilities make (e.g. 'fluorite'). */
  input?: string;
}

export interface Alternative {
  /** The consuming facility. */
  facility: string;
  input: string;
  /** The supplier raising its share. */
  supplier: string;
  /** Share of the consumer's need of this input the supplier newly covers (same unit as a link share). */
  coverShare: number;
  /** The same in good units per day. */
  extraUnitsPerDay: number;
}

export interface Exposure {
  facility: string;
  input: string;
  /** Share of the facility's need of the input that came from stopped suppliers. */
  lostShare: number;
  /** Of it, the share alternatives cover. */
  coveredShare: number;
}

export interface CompiledDisruption {
  stopped: Uint8Array;
  stoppedIds: string[];
  /** Stopped facilities and everything downstream of them. */
  affected: Uint8Array;
  /** The stop lasts days 0 .. days-1. */
  days: number;
  /** Alternatives raise their share from this day (0: at once). */
  reactionDays: number;
  /** The plan in force while stopped and after the reaction: alternatives raised, stopped shares cut. */
  plan: Plan;
  alternatives: Alternative[];
  exposures: Exposure[];
}

/**
 * Which facilities stop (all criteria given must match: id, country, product) and how the other
 * suppliers of the same inputs cover for them: each consumer of a stopped supplier asks its other
 * suppliers of that input (also those it currently buys 0 % from) for the lost flow; they cover up to
 * their spare capacity (`(capacity - planned rate) × yield`, good units), shared between consumers in
 * topological order and, within one consumer, in proportion to each one's remaining spare capacity.
 */
export function compileDisruption(
  net: CompiledNetwork,
  stop: StopSpec,
  days: number,
  reactionDays = 0,
): CompiledDisruption {
  if (stop.supplier === undefined && stop.country === undefined && stop.input === undefined) {
    throw invalidScenario('stop must name a supplier, a country or an input', '/scenario/stop');
  }
  const { n, base, capacity, yld, inStart, ratio, slotLinkStart, slotLinks, linkSupplier, outStart } = net;
  const stopped = new Uint8Array(n);
  const stoppedIds: string[] = [];
  for (let f = 0; f < n; f++) {
    if (stop.supplier !== undefined && net.ids[f] !== stop.supplier) continue;
    if (stop.country !== undefined && net.countries[f] !== stop.country) continue;
    if (stop.input !== undefined && net.products[net.product[f]!] !== stop.input) continue;
    stopped[f] = 1;
    stoppedIds.push(net.ids[f]!);
  }
  if (stoppedIds.length === 0) {
    throw invalidScenario(`no facility matches the stop ${JSON.stringify(stop)}`, '/scenario/stop');
  }
  const affected = stopped.slice();
  for (let f = 0; f < n; f++) {
    if (!affected[f]) continue;
    for (let l = outStart[f]!; l < outStart[f + 1]!; l++) affected[net.linkConsumer[l]!] = 1;
  }
  // (topological order: one forward sweep reaches everything downstream, cycles aside)

  const shares = net.linkShare.slice();
  const spare = new Float64Array(n);
  for (let f = 0; f < n; f++) spare[f] = Math.max(0, (capacity[f]! - base.start[f]!) * yld[f]!);
  const alternatives: Alternative[] = [];
  const exposures: Exposure[] = [];
  for (let c = 0; c < n; c++) {
    if (stopped[c]) continue;
    for (let k = inStart[c]!; k < inStart[c + 1]!; k++) {
      const need = base.start[c]! * ratio[k]!;
      let lostShare = 0;
      let spareSum = 0;
      for (let j = slotLinkStart[k]!; j < slotLinkStart[k + 1]!; j++) {
        const l = slotLinks[j]!;
        if (stopped[linkSupplier[l]!]) lostShare += net.linkShare[l]!;
        else spareSum += spare[linkSupplier[l]!]!;
      }
      if (lostShare === 0 || need <= 0) continue;
      const lost = lostShare * need;
      const cover = Math.min(lost, spareSum);
      const left = lost > 0 ? (lost - cover) / lost : 0;
      const taken: [number, number][] = [];
      for (let j = slotLinkStart[k]!; j < slotLinkStart[k + 1]!; j++) {
        const l = slotLinks[j]!;
        const s = linkSupplier[l]!;
        if (stopped[s]) {
          shares[l] = net.linkShare[l]! * left;
        } else if (spareSum > 0) {
          taken.push([l, (cover * spare[s]!) / spareSum]);
        }
      }
      for (const [l, extra] of taken) {
        const s = linkSupplier[l]!;
        spare[s] = Math.max(0, spare[s]! - extra);
        shares[l] = shares[l]! + extra / need;
        if (extra > 0) {
          alternatives.push({
            facility: net.ids[c]!,
            input: net.slotInput[k]!,
            supplier: net.ids[s]!,
            coverShare: extra / need,
            extraUnitsPerDay: extra,
          });
        }
      }
      exposures.push({
        facility: net.ids[c]!,
        input: net.slotInput[k]!,
        lostShare,
        coveredShare: cover / need,
      });
    }
  }
  const sinkTarget = base.start.slice();
  const plan = planBackward(net, shares, sinkTarget, stopped);
  return { stopped, stoppedIds, affected, days, reactionDays, plan, alternatives, exposures };
}

// ---------------------------------------------------------------------------------------------------
// The hot loop

export interface RunParams {
  days: number;
  leadTimeJitter: number;
  capacityNoise: number;
  disruption: CompiledDisruption | null;
}

/** Buffers reused across runs (allocated once per simulation). */
export class Workspace {
  readonly stock: Float64Array;
  readonly outStock: Float64Array;
  readonly backlog: Float64Array;
  readonly total: Float64Array;
  readonly pipe: Float64Array;
  readonly jitterAmp: Float64Array;
  readonly mask: number;

  constructor(
    readonly net: CompiledNetwork,
    readonly leadTimeJitter: number,
  ) {
    this.stock = new Float64Array(net.slots);
    this.outStock = new Float64Array(net.n);
    this.backlog = new Float64Array(net.n);
    this.total = new Float64Array(net.n);
    const reach = net.maxLead + Math.ceil(net.maxLead * leadTimeJitter) + 2;
    let rows = 1;
    while (rows < reach) rows <<= 1;
    this.mask = rows - 1;
    this.pipe = new Float64Array(rows * Math.max(1, net.slots));
    this.jitterAmp = Float64Array.from(net.linkLead, (lead) => lead * leadTimeJitter);
  }
}

/**
 * One run of the model. Adds each facility's good output to `ws.total` (zeroed first), to
 * `productDay[t·products + p]` and `facilityDay[t·n + f]` when given. Returns facility-days simulated.
 */
export function runOnce(
  ws: Workspace,
  p: RunParams,
  rng: Random,
  productDay: Float64Array | null,
  facilityDay: Float64Array | null,
): number {
  const net = ws.net;
  const { n, capacity, yld, invYield, sink, outStock0, inStart, ratio, invRatio, stock0 } = net;
  const { outStart, linkSlot, linkLead, linkMinLead, product, base } = net;
  const S = net.slots;
  const P = net.products.length;
  const { stock, outStock, backlog, total, pipe, jitterAmp, mask } = ws;
  const days = p.days;
  const jitter = p.leadTimeJitter;
  const noise = p.capacityNoise;
  const d = p.disruption;
  const stopped = d ? d.stopped : null;
  const stopEnd = d ? d.days : 0;
  const react = d ? d.reactionDays : 0;
  const alt = d ? d.plan : base;

  // Reset the state: stocks as declared, pipelines full at the planned flows.
  stock.set(stock0);
  outStock.set(outStock0);
  backlog.fill(0);
  total.fill(0);
  pipe.fill(0);
  for (let l = 0; l < net.links; l++) {
    const q = base.flow[l]!;
    const k = linkSlot[l]!;
    for (let t = 0; t < linkLead[l]!; t++) pipe[(t & mask) * S + k]! += q;
  }

  for (let t = 0; t < days; t++) {
    const inStop = t < stopEnd;
    const plan = inStop && t >= react ? alt : base;
    const start = plan.start;
    const flow = plan.flow;
    const demand = plan.demand;
    const row = (t & mask) * S;
    const dayBase = t * P;
    for (let f = 0; f < n; f++) {
      let can = capacity[f]!;
      if (noise > 0) can *= 1 + noise * (2 * rng.uniformFast() - 1);
      const k0 = inStart[f]!;
      const k1 = inStart[f + 1]!;
      for (let k = k0; k < k1; k++) {
        const i = row + k;
        const st = stock[k]! + pipe[i]!;
        pipe[i] = 0;
        stock[k] = st;
        const allows = st * invRatio[k]!;
        if (allows < can) can = allows;
      }
      const halted = inStop && stopped !== null && stopped[f] === 1;
      let started: number;
      if (halted) started = 0;
      else if (sink[f] === 1) {
        const target = start[f]!;
        started = target < can ? target : can;
      } else {
        const need = (demand[f]! + backlog[f]! + outStock0[f]! - outStock[f]!) * invYield[f]!;
        started = need <= 0 ? 0 : need < can ? need : can;
      }
      if (started < 0) started = 0; // a stock a rounding error below zero
      for (let k = k0; k < k1; k++) stock[k] = stock[k]! - started * ratio[k]!;
      const good = started * yld[f]!;
      const have = outStock[f]! + good;
      total[f] = total[f]! + good;
      if (productDay !== null) productDay[dayBase + product[f]!]! += good;
      if (facilityDay !== null) facilityDay[t * n + f]! += good;

      const l0 = outStart[f]!;
      const l1 = outStart[f + 1]!;
      if (l0 === l1) {
        outStock[f] = have;
        continue;
      }
      const q = demand[f]!;
      let scale = 0;
      if (halted) {
        backlog[f] = backlog[f]! + q;
        outStock[f] = have;
      } else if (q > 0) {
        const want = q + backlog[f]!;
        const ship = have < want ? have : want;
        outStock[f] = have - ship;
        backlog[f] = want - ship;
        scale = ship / q;
      } else {
        outStock[f] = have;
      }
      if (jitter > 0) {
        for (let l = l0; l < l1; l++) {
          let lead = (linkLead[l]! + jitterAmp[l]! * (2 * rng.uniformFast() - 1) + 0.5) | 0;
          if (lead < linkMinLead[l]!) lead = linkMinLead[l]!;
          pipe[((t + lead) & mask) * S + linkSlot[l]!]! += flow[l]! * scale;
        }
      } else if (scale > 0) {
        for (let l = l0; l < l1; l++)
          pipe[((t + linkLead[l]!) & mask) * S + linkSlot[l]!]! += flow[l]! * scale;
      }
    }
  }
  return days * n;
}

// ---------------------------------------------------------------------------------------------------
// Many runs

export interface SimulateNetworkOptions {
  days: number;
  runs: number;
  seed: number;
  disruption?: CompiledDisruption;
  /** 0..1: each shipment's lead time varies by up to ± this fraction. */
  leadTimeJitter?: number;
  /** 0..1: each facility-day's capacity varies by up to ± this fraction. */
  capacityNoise?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface NetworkResult {
  days: number;
  runs: number;
  seed: number;
  products: string[];
  /** Good output per product over the horizon, mean over runs. */
  total: Float64Array;
  /** Good output per day and product (`series[day·products + p]`), mean over runs. */
  series: Float64Array;
  /** Good output per run and product over the horizon (`runTotals[run·products + p]`). */
  runTotals: Float64Array;
  facilityDays: number;
}

export function checkMonteCarlo(o: {
  days: number;
  runs: number;
  leadTimeJitter?: number;
  capacityNoise?: number;
}): void {
  if (!Number.isInteger(o.days) || o.days < 1 || o.days > 36_500) {
    throw invalidScenario('horizonDays must be an integer in 1..36500', '/scenario/horizonDays');
  }
  if (!Number.isInteger(o.runs) || o.runs < 1 || o.runs > 1_000_000) {
    throw invalidScenario('runs must be an integer in 1..1000000', '/scenario/runs');
  }
  for (const key of ['leadTimeJitter', 'capacityNoise'] as const) {
    const v = o[key] ?? 0;
    if (!(v >= 0 && v <= 1)) throw invalidScenario(`${key} must be in [0, 1]`, `/scenario/${key}`);
  }
}

/** Runs the model `runs` times (one independent random stream per run) and aggregates the output. */
export function simulateNetwork(net: CompiledNetwork, o: SimulateNetworkOptions): NetworkResult {
  checkMonteCarlo(o);
  const jitter = o.leadTimeJitter ?? 0;
  const params: RunParams = {
    days: o.days,
    leadTimeJitter: jitter,
    capacityNoise: o.capacityNoise ?? 0,
    disruption: o.disruption ?? null,
  };
  const ws = new Workspace(net, jitter);
  const P = net.products.length;
  const series = new Float64Array(o.days * P);
  const runTotals = new Float64Array(o.runs * P);
  const streams = Random.seeded(o.seed).streams(o.runs);
  let facilityDays = 0;
  for (let r = 0; r < o.runs; r++) {
    facilityDays += runOnce(ws, params, streams[r]!, series, null);
    for (let f = 0; f < net.n; f++) runTotals[r * P + net.product[f]!]! += ws.total[f]!;
    o.onProgress?.(r + 1, o.runs);
  }
  const total = new Float64Array(P);
  for (let r = 0; r < o.runs; r++) for (let p = 0; p < P; p++) total[p]! += runTotals[r * P + p]! / o.runs;
  for (let i = 0; i < series.length; i++) series[i] = series[i]! / o.runs;
  return {
    days: o.days,
    runs: o.runs,
    seed: o.seed,
    products: net.products,
    total,
    series,
    runTotals,
    facilityDays,
  };
}
