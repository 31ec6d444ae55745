/**
 * A synthetic supply network for the CPS benchmark (bench/cps.ts) and the simulation's scale tests
 * (libs/simulation network.spec.ts, twin.spec.ts): any size, the same for the same seed. It is test data,
 * not part of the engine, so it lives here rather than in libs/simulation.
 */
import { Random, type Twin } from '@renkei/simulation';

const COUNTRIES = ['CN', 'JP', 'KR', 'TW', 'US', 'DE', 'MX', 'VN', 'TH', 'IN', 'ZA', 'AU', 'NL', 'MY'];

/**
 * A multi-tier network of `facilities` facilities for benchmarks and property tests, the same for the
 * same seed. Six tiers from raw materials (28 % of the facilities) to final assembly (5 %); about eight
 * facilities per product; each product of tier i ≥ 1 uses 1–4 products of tier i-1 (plus, 30 % of the
 * time, one of tier i-2), each bought from 1–3 of the facilities making it at random shares (every
 * facility below the last tier has a customer). Final assembly runs at capacity (50–150 units a day);
 * capacities upstream are set from what it needs plus 5–40 % spare; yields
 * 85–100 %, lead times 1–40 days (longer upstream), 2–10 days of output stock and 5–20 days of inputs.
 */
export function syntheticNetwork(facilities: number, seed: number): Twin {
  const rng = Random.seeded(seed);
  const weights = [0.28, 0.24, 0.19, 0.14, 0.1, 0.05];
  const T = weights.length;
  const sizes = weights.map((w) => Math.max(1, Math.round(w * facilities)));
  sizes[0]! += facilities - sizes.reduce((a, b) => a + b, 0);
  if (sizes[0]! < 1) throw new Error('syntheticNetwork needs at least 6 facilities');
  const products: string[][] = sizes.map((size, t) =>
    Array.from(
      { length: Math.max(1, Math.round(size / 8)) },
      (_, i) => `t${t}-p${String(i).padStart(3, '0')}`,
    ),
  );
  type Draft = { id: string; tier: number; product: string; country: string; yield: number; lead: number };
  const drafts: Draft[] = [];
  const makers = new Map<string, Draft[]>();
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < sizes[t]!; i++) {
      const product = products[t]![i % products[t]!.length]!;
      const d: Draft = {
        id: `t${t}-f${String(drafts.length).padStart(5, '0')}`,
        tier: t,
        product,
        country: COUNTRIES[rng.int(0, COUNTRIES.length - 1)]!,
        yield: 0.85 + 0.15 * rng.uniform(),
        lead: t === 0 ? rng.int(10, 40) : rng.int(1, 30 - 4 * t),
      };
      drafts.push(d);
      makers.set(product, [...(makers.get(product) ?? []), d]);
    }
  }
  const bom: Twin['bom'] = [];
  for (let t = 1; t < T; t++) {
    for (const product of products[t]!) {
      const prev = products[t - 1]!;
      const count = Math.min(prev.length, rng.int(1, 4));
      const chosen = new Set<string>();
      while (chosen.size < count) chosen.add(prev[rng.int(0, prev.length - 1)]!);
      if (t >= 2 && rng.uniform() < 0.3) {
        const skip = products[t - 2]!;
        chosen.add(skip[rng.int(0, skip.length - 1)]!);
      }
      for (const input of [...chosen].sort()) {
        bom.push({ product, input, ratio: Math.round((0.5 + 3.5 * rng.uniform()) * 100) / 100 });
      }
    }
  }
  // Every product below the last tier is used by at least one product of the next tier.
  for (let t = 0; t < T - 1; t++) {
    for (const input of products[t]!) {
      if (bom.some((b) => b.input === input)) continue;
      const next = products[t + 1]!;
      const product = next[rng.int(0, next.length - 1)]!;
      bom.push({ product, input, ratio: Math.round((0.5 + 3.5 * rng.uniform()) * 100) / 100 });
    }
  }
  bom.sort((a, b) => (a.product < b.product ? -1 : a.product > b.product ? 1 : a.input < b.input ? -1 : 1));
  const pairs = new Map<string, { facility: string; input: string; suppliers: Map<string, number> }>();
  for (const d of drafts) {
    for (const line of bom) {
      if (line.product !== d.product) continue;
      const candidates = makers.get(line.input)!;
      const count = Math.min(candidates.length, rng.int(1, 3));
      const suppliers = new Map<string, number>();
      while (suppliers.size < count) {
        suppliers.set(candidates[rng.int(0, candidates.length - 1)]!.id, 0.2 + rng.uniform());
      }
      pairs.set(`${d.id}|${line.input}`, { facility: d.id, input: line.input, suppliers });
    }
  }
  // Every facility below the last tier sells to someone: an unchosen one joins a random buyer of its product.
  const chosenSuppliers = new Set([...pairs.values()].flatMap((p) => [...p.suppliers.keys()]));
  const buyers = new Map<string, { suppliers: Map<string, number> }[]>();
  for (const p of pairs.values()) buyers.set(p.input, [...(buyers.get(p.input) ?? []), p]);
  for (const d of drafts) {
    if (d.tier === T - 1 || chosenSuppliers.has(d.id)) continue;
    const candidates = buyers.get(d.product);
    if (!candidates) continue;
    candidates[rng.int(0, candidates.length - 1)]!.suppliers.set(d.id, 0.2 + rng.uniform());
  }
  const links: Twin['links'] = [];
  for (const p of pairs.values()) {
    const sum = [...p.suppliers.values()].reduce((a, b) => a + b, 0);
    for (const [supplier, w] of p.suppliers) {
      links.push({ facility: p.facility, input: p.input, supplier, share: w / sum });
    }
  }
  // Planned rates from the end of the chain upstream, capacities with spare on top.
  const rate = new Map<string, number>();
  const needOf = new Map<string, number>();
  const linksOf = new Map<string, Twin['links']>();
  for (const l of links) linksOf.set(l.facility, [...(linksOf.get(l.facility) ?? []), l]);
  for (let t = T - 1; t >= 0; t--) {
    for (const d of drafts) {
      if (d.tier !== t) continue;
      const asked = needOf.get(d.id);
      const r = asked === undefined ? 50 + 100 * rng.uniform() : asked / d.yield;
      rate.set(d.id, r);
      for (const l of linksOf.get(d.id) ?? []) {
        const ratio = bom.find((b) => b.product === d.product && b.input === l.input)!.ratio;
        needOf.set(l.supplier, (needOf.get(l.supplier) ?? 0) + r * ratio * l.share);
      }
    }
  }
  const facilityList: Twin['facilities'] = drafts.map((d) => {
    const r = rate.get(d.id)!;
    const inputStock: Record<string, number> = {};
    for (const line of bom) {
      if (line.product === d.product)
        inputStock[line.input] = Math.round(r * line.ratio * (5 + 15 * rng.uniform()));
    }
    return {
      id: d.id,
      name: `Synthetic ${d.id}`,
      owner: `participant-${d.id}`,
      country: d.country,
      product: d.product,
      capacityPerDay: d.tier === T - 1 ? r : r * (1.05 + 0.35 * rng.uniform()),
      leadTimeDays: d.lead,
      yield: d.yield,
      outputStock: Math.round(r * d.yield * (2 + 8 * rng.uniform())),
      inputStock,
      kgCo2ePerUnit: Math.round((0.1 + 4.9 * rng.uniform()) * 1000) / 1000,
    };
  });
  return { asOf: null, facilities: facilityList, bom, links, hospitals: [], sources: [] };
}
