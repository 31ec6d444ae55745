/** Checks for `type`, `enum`/`const` on the wide side, numbers and strings, plus the bound helper shared with arrays and objects. */
import { evaluate, isMultipleOf } from './evaluate.js';
import { deepEqual, render, renderList, uniqueValues } from './json.js';
import { describeKinds, isSubset, kindsOfType, minus, renderType, type Kind, type Kinds } from './kinds.js';
import { report, sides, type Ctx } from './report.js';
import { keywordPath, type ObjectNode } from './schema-nodes.js';

const NULL_ONLY: Kinds = new Set<Kind>(['null']);
const NULL_OR_BOOLEAN: Kinds = new Set<Kind>(['null', 'boolean']);

// ---------------------------------------------------------------------------------------------------------
// type
// ---------------------------------------------------------------------------------------------------------

/** Every JSON type the narrow side allows must be allowed by the wide side (`integer` ⊂ `number`). */
export function checkType(
  ctx: Ctx,
  narrow: readonly ObjectNode[],
  wide: readonly ObjectNode[],
  kinds: { narrow: Kinds; wide: Kinds },
  field: string,
): void {
  const missing = minus(kinds.narrow, kinds.wide);
  if (missing.size === 0) return;
  const narrowHolder = narrow.find((node) => kindsOfType(node.schema.type));
  const wideHolder = wide.find((node) => kindsOfType(node.schema.type));
  const at = {
    narrowAt: narrowHolder && keywordPath(narrowHolder, 'type'),
    wideAt: wideHolder && keywordPath(wideHolder, 'type'),
  };
  const backward = ctx.direction === 'BACKWARD';
  if (!narrowHolder) {
    // The narrow side had no `type` at all: one finding, not one per JSON type.
    const type = renderType(kinds.wide);
    report(ctx, {
      kind: ['TYPE_NARROWED', 'TYPE_WIDENED'],
      field,
      ...at,
      change: backward ? `type restricted to ${type}` : `type restriction ${type} removed`,
      lost: `where it is not ${describeKinds(kinds.wide)}`,
    });
    return;
  }
  const { prev, next } = sides(ctx, kinds.narrow, kinds.wide);
  const transition = `from ${renderType(prev)} to ${renderType(next)}`;
  if (missing.has('null')) {
    report(ctx, {
      kind: ['NULL_NO_LONGER_ALLOWED', 'NULL_NOW_ALLOWED'],
      field,
      ...at,
      change: `${backward ? 'no longer allows' : 'now allows'} null (type changed ${transition})`,
      lost: 'where it is null',
    });
  }
  const others = minus(missing, NULL_ONLY);
  if (others.size === 0) return;
  const narrowed = isSubset(minus(kinds.wide, NULL_ONLY), minus(kinds.narrow, NULL_ONLY));
  report(ctx, {
    kind: narrowed ? ['TYPE_NARROWED', 'TYPE_WIDENED'] : 'TYPE_CHANGED',
    field,
    ...at,
    change: `type ${narrowed ? (backward ? 'narrowed' : 'widened') : 'changed'} ${transition}`,
    lost: `where it is ${describeKinds(others)}`,
  });
}

// ---------------------------------------------------------------------------------------------------------
// enum / const
// ---------------------------------------------------------------------------------------------------------

export interface FiniteSet {
  values: unknown[];
  keyword: 'enum' | 'const';
  /** Schema path of the (first) keyword that makes the set finite. */
  path: string;
}

/** The values a conjunction is limited to by `enum`/`const` (intersected across conjuncts), if any. */
export function finiteSet(nodes: readonly ObjectNode[]): FiniteSet | undefined {
  let result: FiniteSet | undefined;
  for (const node of nodes) {
    let own: FiniteSet;
    if (Object.hasOwn(node.schema, 'const')) {
      own = { values: [node.schema.const], keyword: 'const', path: keywordPath(node, 'const') };
    } else if (Array.isArray(node.schema.enum)) {
      own = { values: uniqueValues(node.schema.enum), keyword: 'enum', path: keywordPath(node, 'enum') };
    } else continue;
    result = result
      ? { ...result, values: result.values.filter((value) => own.values.some((v) => deepEqual(v, value))) }
      : own;
  }
  return result;
}

/** The wide side lists its values (`enum`/`const`) while the narrow side accepts an open range of values. */
export function checkWideEnum(
  ctx: Ctx,
  narrow: readonly ObjectNode[],
  wide: readonly ObjectNode[],
  narrowKinds: Kinds,
  field: string,
): void {
  const allowed = finiteSet(wide);
  if (!allowed) return;
  if (isSubset(narrowKinds, NULL_OR_BOOLEAN)) {
    // null and booleans are finite too: `type: boolean` fits `enum: [true, false]`.
    const candidates = [null, true, false]
      .filter((value) => narrowKinds.has(value === null ? 'null' : 'boolean'))
      .filter((value) => evaluate(narrow, value).status !== 'rejected');
    if (candidates.every((value) => allowed.values.some((v) => deepEqual(v, value)))) return;
  }
  const single = allowed.keyword === 'const' || allowed.values.length === 1;
  const list = single ? render(allowed.values[0]) : renderList(allowed.values, 'or');
  const backward = ctx.direction === 'BACKWARD';
  report(ctx, {
    kind: ['ENUM_RESTRICTION_ADDED', 'ENUM_RESTRICTION_REMOVED'],
    field,
    wideAt: allowed.path,
    change: single
      ? backward
        ? `fixed to the single value ${list}`
        : `no longer fixed to the single value ${list}`
      : backward
        ? `restricted to the values ${list}`
        : `no longer restricted to the values ${list}`,
    lost: 'with any other value',
  });
}

// ---------------------------------------------------------------------------------------------------------
// Bounds (numbers, lengths, item and property counts)
// ---------------------------------------------------------------------------------------------------------

export interface Bound {
  value: number;
  exclusive: boolean;
  path: string;
}

export type Side = 'lower' | 'upper';

/** The tightest bound on one side across a conjunction, from an inclusive and optionally an exclusive keyword. */
export function tightestBound(
  nodes: readonly ObjectNode[],
  side: Side,
  inclusive: string,
  exclusive?: string,
): Bound | undefined {
  let best: Bound | undefined;
  for (const node of nodes) {
    for (const [name, isExclusive] of [
      [inclusive, false],
      [exclusive, true],
    ] as const) {
      const value = name === undefined ? undefined : node.schema[name];
      if (name === undefined || typeof value !== 'number') continue;
      const candidate = { value, exclusive: isExclusive, path: keywordPath(node, name) };
      if (!best || implies(side, candidate, best, false)) best = candidate;
    }
  }
  return best;
}

/** Every value within `narrow` is within `wide`. Integer-only values let `> 0` mean `>= 1`. */
function implies(side: Side, narrow: Bound, wide: Bound, integersOnly: boolean): boolean {
  let { value, exclusive } = narrow;
  if (integersOnly) {
    if (side === 'lower') value = exclusive ? Math.floor(value) + 1 : Math.ceil(value);
    else value = exclusive ? Math.ceil(value) - 1 : Math.floor(value);
    exclusive = false;
  }
  if (side === 'lower' ? value > wide.value : value < wide.value) return true;
  return value === wide.value && (exclusive || !wide.exclusive);
}

export interface BoundWords {
  label: string;
  /** The payloads the wide bound rejects, e.g. `with a value above 500`. */
  beyond: (wide: Bound) => string;
}

export const NUMBER_WORDS: Record<Side, BoundWords> = {
  lower: {
    label: 'minimum',
    beyond: (b) => (b.exclusive ? `with a value of ${b.value} or less` : `with a value below ${b.value}`),
  },
  upper: {
    label: 'maximum',
    beyond: (b) => (b.exclusive ? `with a value of ${b.value} or more` : `with a value above ${b.value}`),
  },
};

function fmt(bound: Bound): string {
  return bound.exclusive ? `${bound.value} (exclusive)` : String(bound.value);
}

function boundChange(label: string, prev: Bound | undefined, next: Bound | undefined): string {
  if (prev && next) {
    if (prev.value === next.value)
      return `${label} ${prev.value} made ${next.exclusive ? 'exclusive' : 'inclusive'}`;
    return `${label} ${next.value < prev.value ? 'lowered' : 'raised'} from ${fmt(prev)} to ${fmt(next)}`;
  }
  if (next) return `${label} ${fmt(next)} added`;
  return prev ? `${label} ${fmt(prev)} removed` : `${label} changed`;
}

/** The wide side's bound must hold for everything within the narrow side's bound. */
export function checkBound(
  ctx: Ctx,
  field: string,
  side: Side,
  bounds: { narrow: Bound | undefined; wide: Bound | undefined },
  words: BoundWords,
  integersOnly = true,
): void {
  const { narrow, wide } = bounds;
  if (!wide || (narrow && implies(side, narrow, wide, integersOnly))) return;
  const { prev, next } = sides(ctx, narrow, wide);
  report(ctx, {
    kind: ['CONSTRAINT_TIGHTENED', 'CONSTRAINT_LOOSENED'],
    field,
    narrowAt: narrow?.path,
    wideAt: wide.path,
    change: boundChange(words.label, prev, next),
    lost: words.beyond(wide),
  });
}

/** A count's lower bound of 0 (`minItems: 0`…) constrains nothing. */
function countBound(nodes: readonly ObjectNode[], side: Side, name: string): Bound | undefined {
  const bound = tightestBound(nodes, side, name);
  return side === 'lower' && bound && bound.value <= 0 ? undefined : bound;
}

/** Counted bounds (`minLength`, `maxItems`…): inclusive integers. */
export function checkCountBounds(
  ctx: Ctx,
  narrow: readonly ObjectNode[],
  wide: readonly ObjectNode[],
  field: string,
  names: { min: string; max: string; unit: string },
): void {
  for (const side of ['lower', 'upper'] as const) {
    const name = side === 'lower' ? names.min : names.max;
    checkBound(
      ctx,
      field,
      side,
      { narrow: tightestBound(narrow, side, name), wide: countBound(wide, side, name) },
      {
        label: name,
        beyond: (b) => `with ${side === 'lower' ? 'fewer' : 'more'} than ${b.value} ${names.unit}`,
      },
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------------------

export function checkNumbers(
  ctx: Ctx,
  narrow: readonly ObjectNode[],
  wide: readonly ObjectNode[],
  integersOnly: boolean,
  field: string,
): void {
  for (const side of ['lower', 'upper'] as const) {
    const [inclusive, exclusive] =
      side === 'lower' ? ['minimum', 'exclusiveMinimum'] : ['maximum', 'exclusiveMaximum'];
    checkBound(
      ctx,
      field,
      side,
      {
        narrow: tightestBound(narrow, side, inclusive, exclusive),
        wide: tightestBound(wide, side, inclusive, exclusive),
      },
      NUMBER_WORDS[side],
      integersOnly,
    );
  }
  checkMultipleOf(ctx, narrow, wide, integersOnly, field);
}

/** A wide `multipleOf: m` holds if the narrow side's step is a multiple of m (or it is integers and 1 is). */
function checkMultipleOf(
  ctx: Ctx,
  narrow: readonly ObjectNode[],
  wide: readonly ObjectNode[],
  integersOnly: boolean,
  field: string,
): void {
  const steps = (nodes: readonly ObjectNode[]): Bound[] =>
    nodes.flatMap((node) =>
      typeof node.schema.multipleOf === 'number'
        ? [{ value: node.schema.multipleOf, exclusive: false, path: keywordPath(node, 'multipleOf') }]
        : [],
    );
  const narrowSteps = steps(narrow);
  for (const step of steps(wide)) {
    if (narrowSteps.some((s) => isMultipleOf(s.value, step.value))) continue;
    if (integersOnly && isMultipleOf(1, step.value)) continue;
    const other = narrowSteps[0];
    const { prev, next } = sides(ctx, other, step);
    report(ctx, {
      kind: ['CONSTRAINT_TIGHTENED', 'CONSTRAINT_LOOSENED'],
      field,
      narrowAt: other?.path,
      wideAt: step.path,
      change:
        prev && next
          ? `multipleOf changed from ${prev.value} to ${next.value}`
          : next
            ? `multipleOf ${next.value} added`
            : `multipleOf ${prev?.value ?? ''} removed`,
      lost: `with a value that is not a multiple of ${step.value}`,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------------------------------------

export function checkStrings(
  ctx: Ctx,
  narrow: readonly ObjectNode[],
  wide: readonly ObjectNode[],
  field: string,
): void {
  for (const side of ['lower', 'upper'] as const) {
    const name = side === 'lower' ? 'minLength' : 'maxLength';
    checkBound(
      ctx,
      field,
      side,
      { narrow: tightestBound(narrow, side, name), wide: countBound(wide, side, name) },
      {
        label: name,
        beyond: (b) => `with a value ${side === 'lower' ? 'shorter' : 'longer'} than ${b.value} characters`,
      },
    );
  }
  checkSameString(ctx, narrow, wide, field, 'pattern');
  checkSameString(ctx, narrow, wide, field, 'format');
}

/**
 * `pattern` and `format` are only provably implied by the identical keyword: whether one regular expression
 * accepts a subset of another's strings, or how two formats relate, is not decided here. Dropping them on the
 * narrow side is always fine; everything else is reported.
 */
function checkSameString(
  ctx: Ctx,
  narrow: readonly ObjectNode[],
  wide: readonly ObjectNode[],
  field: string,
  name: 'pattern' | 'format',
): void {
  const list = (nodes: readonly ObjectNode[]): { value: string; path: string }[] =>
    nodes.flatMap((node) => {
      const value = node.schema[name];
      return typeof value === 'string' ? [{ value, path: keywordPath(node, name) }] : [];
    });
  const narrowList = list(narrow);
  for (const demanded of list(wide)) {
    if (narrowList.some((own) => own.value === demanded.value)) continue;
    const other = narrowList[0];
    const { prev, next } = sides(ctx, other?.value, demanded.value);
    const why =
      name === 'pattern'
        ? 'a different regular expression cannot be proven to accept the same strings'
        : 'a different format cannot be proven to accept the same strings';
    report(ctx, {
      kind: name === 'pattern' ? 'PATTERN_CHANGED' : 'FORMAT_CHANGED',
      field,
      narrowAt: other?.path,
      wideAt: demanded.path,
      change:
        prev !== undefined && next !== undefined
          ? `${name} changed from ${render(prev)} to ${render(next)} (${why})`
          : next !== undefined
            ? `${name} ${render(next)} added`
            : `${name} ${render(prev)} removed`,
      lost:
        name === 'pattern'
          ? `with a value that does not match ${render(demanded.value)}`
          : `with a value that is not a valid ${render(demanded.value)}`,
    });
  }
}
