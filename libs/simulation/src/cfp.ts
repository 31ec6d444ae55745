/**
 * Carbon footprint roll-up along the bill of materials (cradle to gate), per good unit of a product:
 *
 *   cfp(f) = kgCo2ePerUnit(f) + Σ over f's inputs k:  ratio_k / yield(f) × Σ over f's suppliers s of k:  share_s × cfp(s)
 *
 * (ratio is per unit started, so per good unit it is ratio / yield.) When several facilities make the
 * product, the result is their capacity-weighted mean. An input a facility has no supply link for is
 * taken at the capacity-weighted mean of the twin's facilities making it; if none does, it counts 0 and
 * is listed in `missing`.
 *
 * The breakdown says how much of one unit's footprint each facility's own process emissions contribute:
 * `multiplier(f) × kgCo2ePerUnit(f)`, where the multiplier is how many units of f's output go into one
 * unit of the product along every path; the contributions add up to the total.
 */
import { invalidScenario, type Facility, type Twin } from './model.js';

export interface CfpRollUp {
  product: string;
  kgCo2ePerUnit: number;
  breakdown: { facility: string; product: string; kgCo2e: number; share: number; unitsPerUnit?: number }[];
  /** `facility/input` pairs with no data (counted as 0). */
  missing?: string[];
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function rollUpCfp(twin: Twin, product: string): CfpRollUp {
  const byId = new Map(twin.facilities.map((f) => [f.id, f]));
  const makers = new Map<string, Facility[]>();
  for (const f of [...twin.facilities].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    makers.set(f.product, [...(makers.get(f.product) ?? []), f]);
  }
  const recipe = new Map<string, Map<string, number>>();
  for (const l of twin.bom) {
    const r = recipe.get(l.product) ?? new Map<string, number>();
    r.set(l.input, (r.get(l.input) ?? 0) + l.ratio);
    recipe.set(l.product, r);
  }
  const linksOf = new Map<string, { supplier: Facility; share: number }[]>();
  for (const l of twin.links) {
    const s = byId.get(l.supplier);
    if (!s) continue;
    const key = `${l.facility}\u0000${l.input}`;
    linksOf.set(key, [...(linksOf.get(key) ?? []), { supplier: s, share: l.share }]);
  }
  const weighted = (fs: Facility[]) => {
    const total = fs.reduce((a, f) => a + f.capacityPerDay, 0);
    return fs.map((f) => ({ supplier: f, share: total > 0 ? f.capacityPerDay / total : 1 / fs.length }));
  };
  const missing = new Set<string>();
  /** Where f's input comes from, with weights summing to 1 (or nothing). */
  const sources = (f: Facility, input: string) => {
    const links = linksOf.get(`${f.id}\u0000${input}`);
    if (links && links.length > 0) {
      const sum = links.reduce((a, l) => a + l.share, 0);
      return links.map((l) => ({ supplier: l.supplier, share: sum > 0 ? l.share / sum : 1 / links.length }));
    }
    const fallback = makers.get(input);
    if (fallback) return weighted(fallback);
    missing.add(`${f.id}/${input}`);
    return [];
  };

  const producers = makers.get(product);
  if (!producers) throw invalidScenario(`no facility in the twin makes ${product}`, '/product');

  // Depth-first over the upstream closure: postorder puts suppliers before their customers.
  const postorder: Facility[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (f: Facility, path: string[]) => {
    const s = state.get(f.id);
    if (s === 'done') return;
    if (s === 'open') {
      throw invalidScenario(`the bill of materials has a cycle: ${[...path, f.id].join(' → ')}`, '/product');
    }
    state.set(f.id, 'open');
    for (const input of [...(recipe.get(f.product)?.keys() ?? [])].sort()) {
      for (const { supplier } of sources(f, input)) visit(supplier, [...path, f.id]);
    }
    state.set(f.id, 'done');
    postorder.push(f);
  };
  for (const p of producers) visit(p, []);

  const multiplier = new Map<string, number>();
  for (const { supplier, share } of weighted(producers)) multiplier.set(supplier.id, share);
  for (let i = postorder.length - 1; i >= 0; i--) {
    const f = postorder[i]!;
    const m = multiplier.get(f.id) ?? 0;
    if (m === 0) continue;
    for (const [input, ratio] of recipe.get(f.product) ?? []) {
      const perGood = ratio / f.yield;
      for (const { supplier, share } of sources(f, input)) {
        multiplier.set(supplier.id, (multiplier.get(supplier.id) ?? 0) + m * perGood * share);
      }
    }
  }
  let total = 0;
  const rows = postorder.map((f) => {
    const units = multiplier.get(f.id) ?? 0;
    const kg = units * f.kgCo2ePerUnit;
    total += kg;
    return { facility: f.id, product: f.product, kgCo2e: kg, unitsPerUnit: units };
  });
  const breakdown = rows
    .map((r) => ({
      facility: r.facility,
      product: r.product,
      kgCo2e: round6(r.kgCo2e),
      share: total > 0 ? round6(r.kgCo2e / total) : 0,
      unitsPerUnit: round6(r.unitsPerUnit),
    }))
    .sort((a, b) => b.kgCo2e - a.kgCo2e || (a.facility < b.facility ? -1 : 1));
  const result: CfpRollUp = { product, kgCo2ePerUnit: round6(total), breakdown };
  if (missing.size > 0) result.missing = [...missing].sort();
  return result;
}
