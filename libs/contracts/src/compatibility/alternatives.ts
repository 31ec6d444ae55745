/**
 * `anyOf` / `oneOf`. A union on the narrow side is split into its alternatives, each of which must fit the
 * wide side on its own (exact). A union on the wide side is satisfied when the narrow value set fits one of
 * its alternatives (sufficient, not necessary: a set spread over several alternatives is reported). For a
 * wide `oneOf` the chosen alternative must also be provably disjoint from the others for those values.
 */
import { evaluate } from './evaluate.js';
import { describeKinds, intersect, kindsOf, overlaps, type Kinds } from './kinds.js';
import { report, trial, type Ctx } from './report.js';
import { finiteSet } from './scalars.js';
import {
  child,
  flatten,
  keywordPath,
  propertyNodes,
  located,
  sameKeyword,
  without,
  type ObjectNode,
  type SchemaNode,
} from './schema-nodes.js';

const UNIONS = ['anyOf', 'oneOf'] as const;

/**
 * A union the wide side shares verbatim with the narrow side is implied by it: the narrow side keeps it (and
 * is split along it), the wide side can drop it. This is what keeps an untouched `oneOf` from needing a
 * disjointness proof.
 */
export function dropSharedUnions(narrow: readonly ObjectNode[], wide: readonly ObjectNode[]): ObjectNode[] {
  return wide.map((node) => {
    let result = node;
    for (const name of UNIONS) {
      const own = node.schema[name];
      if (own === undefined) continue;
      const shared = narrow.some(
        (other) =>
          other.schema[name] !== undefined && sameKeyword(name, located(other, name), located(node, name)),
      );
      if (shared) result = without(result, name);
    }
    return result;
  });
}

/**
 * Splits the first union on the narrow side into one conjunction per alternative (a narrow `oneOf` is
 * treated like `anyOf`, which accepts a superset: safe). Undefined when there is no union.
 */
export function splitNarrowUnion(nodes: readonly ObjectNode[]): SchemaNode[][] | undefined {
  const index = nodes.findIndex((node) => UNIONS.some((name) => Array.isArray(node.schema[name])));
  const node = nodes[index];
  if (!node) return undefined;
  const name = UNIONS.find((union) => Array.isArray(node.schema[union])) ?? 'anyOf';
  const others = nodes.filter((_, i) => i !== index);
  const rest = without(node, name);
  const branches = node.schema[name] as unknown[];
  return branches.flatMap((_, i) => {
    const branch = child(node, name, i);
    return branch ? [[...others, rest, branch]] : [];
  });
}

export function checkWideUnions(
  ctx: Ctx,
  narrow: readonly ObjectNode[],
  wide: readonly ObjectNode[],
  narrowKinds: Kinds,
  field: string,
): void {
  for (const node of wide) {
    for (const name of UNIONS) {
      const list = node.schema[name];
      if (Array.isArray(list)) checkWideUnion(ctx, narrow, node, name, list.length, narrowKinds, field);
    }
  }
}

function checkWideUnion(
  ctx: Ctx,
  narrow: readonly ObjectNode[],
  node: ObjectNode,
  name: (typeof UNIONS)[number],
  count: number,
  narrowKinds: Kinds,
  field: string,
): void {
  const branches = Array.from({ length: count }, (_, i) => child(node, name, i)).flatMap((branch) => {
    if (!branch) return [];
    const conj = flatten([branch]);
    return conj.unsat ? [] : [{ node: branch, nodes: conj.nodes }];
  });
  const fits = branches.filter((b) => trial(ctx, () => ctx.check(narrow, [b.node], field)).length === 0);
  if (name === 'anyOf' && fits.length > 0) return;
  const exclusive = fits.some((b) => branches.every((other) => other === b || disjoint(narrow, other.nodes)));
  if (name === 'oneOf' && exclusive) return;

  // Only one alternative can hold any of these values (the others differ in type or discriminator): its own
  // reasons are the precise story.
  const candidates = branches.filter(
    (b) => overlaps(kindsOf(b.nodes), narrowKinds) && !disjoint(narrow, b.nodes),
  );
  const [only] = candidates;
  if (fits.length === 0 && candidates.length === 1 && only) {
    ctx.check(narrow, [only.node], field);
    return;
  }
  const backward = ctx.direction === 'BACKWARD';
  const ambiguous = fits.length > 0;
  if (!ambiguous && !branches.some((b) => overlaps(kindsOf(b.nodes), narrowKinds))) {
    // No alternative takes values of these JSON types at all: say which types.
    const kinds = describeKinds(narrowKinds);
    report(ctx, {
      kind: 'COMPOSITION_CHANGED',
      field,
      narrowAt: narrow.at(-1)?.path,
      wideAt: keywordPath(node, name),
      change: backward
        ? `no longer accepts ${kinds}: none of the alternatives (${name}) of version ${ctx.next} takes it`
        : `now allows ${kinds}, which none of the alternatives (${name}) of version ${ctx.prev} takes`,
      lost: `where it is ${kinds}`,
    });
    return;
  }
  report(ctx, {
    kind: 'COMPOSITION_CHANGED',
    field,
    narrowAt: narrow.at(-1)?.path,
    wideAt: keywordPath(node, name),
    change: ambiguous
      ? backward
        ? `alternatives (${name}) changed, and values may now match more than one of them`
        : `changed, and its values may match more than one of the alternatives (${name}) of version ${ctx.prev}`
      : backward
        ? `alternatives (${name}) changed, and none of them in version ${ctx.next} accepts everything version ${ctx.prev} accepted here`
        : `changed, and none of the alternatives (${name}) of version ${ctx.prev} accepts everything version ${ctx.next} allows here`,
    lost: ambiguous
      ? 'whose value here matches more than one alternative'
      : 'whose value here matches none of the alternatives',
  });
}

/** Provably no value satisfies both conjunctions (different types, disjoint value lists, or a discriminator field). */
export function disjoint(a: readonly ObjectNode[], b: readonly ObjectNode[], depth = 0): boolean {
  if (depth > 8) return false;
  const kindsA = kindsOf(a);
  const kindsB = kindsOf(b);
  if (!overlaps(kindsA, kindsB)) return true;
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    const values = finiteSet(x)?.values;
    if (values?.every((v) => evaluate(x, v).status === 'rejected' || evaluate(y, v).status === 'rejected')) {
      return true;
    }
  }
  const common = intersect(kindsA, kindsB);
  if (common.size !== 1 || !common.has('object')) return false;
  const requiredB = requiredNames(b);
  for (const name of requiredNames(a)) {
    if (!requiredB.has(name)) continue;
    const propA = flatten(propertyNodes(a, name));
    const propB = flatten(propertyNodes(b, name));
    if (propA.unsat || propB.unsat || disjoint(propA.nodes, propB.nodes, depth + 1)) return true;
  }
  return false;
}

function requiredNames(nodes: readonly ObjectNode[]): Set<string> {
  return new Set(
    nodes.flatMap((node) =>
      Array.isArray(node.schema.required)
        ? node.schema.required.filter((name): name is string => typeof name === 'string')
        : [],
    ),
  );
}
