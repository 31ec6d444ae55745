/**
 * The core: `subsetBreaks(narrow, wide, ctx)` tries to prove Valid(narrow) ⊆ Valid(wide) keyword family by
 * keyword family, and reports every place where it cannot. It never guesses in the unsafe direction: what it
 * cannot prove is reported (as COMPOSITION_CHANGED, PATTERN_CHANGED, UNSUPPORTED_KEYWORD_CHANGED…).
 */
import { checkWideUnions, dropSharedUnions, splitNarrowUnion } from './alternatives.js';
import { checkArrays, checkObjects } from './containers.js';
import { evaluate, type Verdict } from './evaluate.js';
import { render, renderList } from './json.js';
import { hasNumbers, intersect, kindsOf, onlyIntegers, type Kinds } from './kinds.js';
import { pick, report, type BreakKind, type Ctx, type Direction, type SchemaBreak } from './report.js';
import {
  checkNumbers,
  checkStrings,
  checkType,
  checkWideEnum,
  finiteSet,
  tightestBound,
  type Bound,
  type FiniteSet,
} from './scalars.js';
import {
  classify,
  flatten,
  independentGroup,
  keywordPath,
  located,
  propertyNodes,
  sameKeyword,
  sameSchema,
  type Conjunction,
  type ObjectNode,
  type SchemaNode,
} from './schema-nodes.js';

/** Upper bounds on subschema comparisons per version pair and on their nesting; beyond them the result is "cannot prove". */
const BUDGET = 20_000;
const MAX_DEPTH = 256;

export interface CheckContext extends Ctx {
  readonly budget: { left: number; depth: number; exhausted?: boolean };
}

export function createContext(direction: Direction, prev: string, next: string): CheckContext {
  const ctx: CheckContext = {
    direction,
    prev,
    next,
    out: [],
    stack: new Set(),
    budget: { left: BUDGET, depth: 0 },
    check: (narrow, wide, field) => check(ctx, narrow, wide, field),
  };
  return ctx;
}

/**
 * Proves Valid(narrow) ⊆ Valid(wide) structurally; appends a break (to `ctx.out`) for each place where it
 * cannot, and returns the breaks found by this call. Under BACKWARD `narrow` is the previous version's
 * (sub)schema and `wide` the next one's; under FORWARD the other way round.
 */
export function subsetBreaks(
  narrow: SchemaNode | readonly SchemaNode[],
  wide: SchemaNode | readonly SchemaNode[],
  ctx: Ctx,
  field = '',
): SchemaBreak[] {
  const before = ctx.out.length;
  ctx.check(
    Array.isArray(narrow) ? narrow : [narrow as SchemaNode],
    Array.isArray(wide) ? wide : [wide as SchemaNode],
    field,
  );
  return ctx.out.slice(before);
}

/** `split`: the narrow side is one alternative of a union already judged by checkContextual. */
function check(
  ctx: CheckContext,
  narrowIn: readonly SchemaNode[],
  wideIn: readonly SchemaNode[],
  field: string,
  split = false,
): void {
  if (ctx.budget.left-- <= 0 || ctx.budget.depth >= MAX_DEPTH) {
    ctx.budget.exhausted = true;
    return;
  }
  const narrow = flatten(narrowIn);
  if (narrow.unsat) return; // nothing is valid on the narrow side here, so nothing can break
  const wide = flatten(wideIn);
  // Recursive schemas ($ref cycles): meeting the same pair again means any counterexample would have to be
  // infinitely deep, and payloads are finite, so the pair holds unless something on the way fails.
  const key = JSON.stringify([narrow.nodes.map((n) => n.key), wide.nodes.map((n) => n.key), !!wide.unsat]);
  if (ctx.stack.has(key)) return;
  ctx.stack.add(key);
  ctx.budget.depth++;
  try {
    checkFlattened(ctx, narrow, wide, field, split);
  } finally {
    ctx.budget.depth--;
    ctx.stack.delete(key);
  }
}

function checkFlattened(
  ctx: CheckContext,
  narrow: Conjunction,
  wide: Conjunction,
  field: string,
  split: boolean,
): void {
  // An unresolvable $ref on the narrow side only loses constraints there (safe); on the wide side it hides them.
  for (const { node, ref } of wide.unresolved) {
    report(ctx, {
      kind: 'UNSUPPORTED_KEYWORD_CHANGED',
      field,
      wideAt: keywordPath(node, '$ref'),
      change: `refers to ${render(ref)}, which cannot be resolved`,
      lost: '',
      consequence:
        "cannot prove compatibility of keyword '$ref'; only references inside the schema (such as '#/$defs/…') are followed, so this is treated as breaking to stay safe",
    });
  }
  if (wide.unsat) {
    reportNothingAccepted(ctx, narrow.nodes, wide.unsat, field);
    return;
  }
  if (!split) checkContextual(ctx, narrow.nodes, wide.nodes, field);
  const wideNodes = dropSharedUnions(narrow.nodes, wide.nodes);
  const alternatives = splitNarrowUnion(narrow.nodes);
  if (alternatives) {
    for (const alternative of alternatives) check(ctx, alternative, wideNodes, field, true);
    return;
  }
  checkPlain(ctx, narrow.nodes, wideNodes, field);
}

/** The narrow side has no union left: compare keyword family by keyword family. */
function checkPlain(ctx: Ctx, narrow: ObjectNode[], wide: ObjectNode[], field: string): void {
  const values = finiteSet(narrow);
  checkUnmodelled(ctx, narrow, wide, field, values !== undefined);
  if (values) {
    checkValues(ctx, narrow, wide, values, field);
    return;
  }
  const kinds = { narrow: possibleKinds(narrow), wide: kindsOf(wide) };
  if (kinds.narrow.size === 0) return; // contradictory constraints: the narrow side accepts nothing
  checkType(ctx, narrow, wide, kinds, field);
  checkWideEnum(ctx, narrow, wide, kinds.narrow, field);
  const common = intersect(kinds.narrow, kinds.wide);
  if (hasNumbers(common)) checkNumbers(ctx, narrow, wide, onlyIntegers(kinds.narrow), field);
  if (common.has('string')) checkStrings(ctx, narrow, wide, field);
  if (common.has('array')) checkArrays(ctx, narrow, wide, field);
  if (common.has('object')) checkObjects(ctx, narrow, wide, field);
  checkWideUnions(ctx, narrow, wide, kinds.narrow, field);
}

/**
 * The JSON types the narrow side can actually produce: its `type`, minus types whose constraints contradict
 * each other (minimum above maximum, minLength above maxLength, a required field that is forbidden…).
 * Dropping those avoids reporting changes to values that were never valid in the first place.
 */
function possibleKinds(nodes: readonly ObjectNode[]): Kinds {
  const kinds = new Set(kindsOf(nodes));
  const empty = (side: { lower?: Bound; upper?: Bound }): boolean => {
    const { lower, upper } = side;
    if (!lower || !upper) return false;
    return lower.value > upper.value || (lower.value === upper.value && (lower.exclusive || upper.exclusive));
  };
  const lower = tightestBound(nodes, 'lower', 'minimum', 'exclusiveMinimum');
  const upper = tightestBound(nodes, 'upper', 'maximum', 'exclusiveMaximum');
  if (empty({ lower, upper })) {
    kinds.delete('integer');
    kinds.delete('fraction');
  } else if (lower && upper) {
    const first = lower.exclusive ? Math.floor(lower.value) + 1 : Math.ceil(lower.value);
    const last = upper.exclusive ? Math.ceil(upper.value) - 1 : Math.floor(upper.value);
    if (first > last) kinds.delete('integer');
  }
  const counted = (min: string, max: string): boolean =>
    empty({ lower: tightestBound(nodes, 'lower', min), upper: tightestBound(nodes, 'upper', max) });
  if (counted('minLength', 'maxLength')) kinds.delete('string');
  if (counted('minItems', 'maxItems')) kinds.delete('array');
  const forbiddenRequired = nodes.some(
    (node) =>
      Array.isArray(node.schema.required) &&
      node.schema.required.some(
        (name) => typeof name === 'string' && flatten(propertyNodes(nodes, name)).unsat !== undefined,
      ),
  );
  if (counted('minProperties', 'maxProperties') || forbiddenRequired) kinds.delete('object');
  return kinds;
}

function reportNothingAccepted(
  ctx: Ctx,
  narrow: readonly ObjectNode[],
  closed: SchemaNode,
  field: string,
): void {
  report(ctx, {
    kind: ['TYPE_NARROWED', 'TYPE_WIDENED'],
    field,
    narrowAt: narrow[0]?.path,
    wideAt: closed.path,
    change:
      ctx.direction === 'BACKWARD'
        ? 'no longer accepts any value (its schema is now false)'
        : `accepts values, but version ${ctx.prev} accepts none here (its schema is false)`,
    lost: 'with any value here',
  });
}

// ---------------------------------------------------------------------------------------------------------
// Finite value sets: check each value exactly
// ---------------------------------------------------------------------------------------------------------

interface ValueGroup {
  kind: BreakKind;
  verdict: Extract<Verdict, { status: 'rejected' }>;
  values: unknown[];
}

/** The narrow side lists its values (enum/const): each must be accepted by the wide side as a whole. */
function checkValues(
  ctx: Ctx,
  narrow: ObjectNode[],
  wide: ObjectNode[],
  set: FiniteSet,
  field: string,
): void {
  const groups = new Map<string, ValueGroup>();
  const undecided = new Map<string, { keyword: string; values: unknown[] }>();
  // A listed value the narrow side's other keywords reject is not really part of it.
  for (const value of set.values.filter((v) => evaluate(narrow, v).status !== 'rejected')) {
    const verdict = evaluate(wide, value);
    if (verdict.status === 'accepted') continue;
    if (verdict.status === 'unknown') {
      const holder = wide.find((node) => keywordPath(node, verdict.keyword) === verdict.path);
      // Context-dependent keywords at this level are judged by checkUnmodelled (whole-subschema equality).
      if (holder && classify(verdict.keyword) === 'contextual') continue;
      if (holder && sharesKeyword(narrow, holder, verdict.keyword)) continue;
      const entry = undecided.get(verdict.path) ?? { keyword: verdict.keyword, values: [] };
      entry.values.push(value);
      undecided.set(verdict.path, entry);
      continue;
    }
    const kind =
      value === null && verdict.keyword === 'type'
        ? pick(ctx, 'NULL_NO_LONGER_ALLOWED', 'NULL_NOW_ALLOWED')
        : set.keyword === 'const' && verdict.keyword === 'const'
          ? 'CONST_CHANGED'
          : pick(ctx, 'ENUM_VALUE_DROPPED', 'ENUM_VALUE_ADDED');
    const key = `${kind} ${verdict.path}`;
    const group = groups.get(key) ?? { kind, verdict, values: [] };
    group.values.push(value);
    groups.set(key, group);
  }
  for (const group of groups.values()) reportValueGroup(ctx, set, group, field);
  for (const [path, { keyword, values }] of undecided) {
    const backward = ctx.direction === 'BACKWARD';
    report(ctx, {
      kind: keyword === 'format' ? 'FORMAT_CHANGED' : 'UNSUPPORTED_KEYWORD_CHANGED',
      field,
      narrowAt: set.path,
      wideAt: path,
      change: `listed ${values.length > 1 ? 'values' : 'value'} ${renderList(values, 'and')} cannot be checked against keyword '${keyword}' of version ${backward ? ctx.next : ctx.prev}`,
      lost: `that use ${renderList(values, 'or')}`,
      consequence: `cannot prove compatibility of keyword '${keyword}' for these values; the checker cannot evaluate it, so this is treated as breaking to stay safe`,
    });
  }
}

/** An undecidable wide keyword is fine when the narrow side carries the identical keyword at the same level. */
function sharesKeyword(narrow: ObjectNode[], holder: ObjectNode, keyword: string): boolean {
  return narrow.some(
    (node) =>
      Object.hasOwn(node.schema, keyword) &&
      sameKeyword(keyword, located(node, keyword), located(holder, keyword)),
  );
}

function reportValueGroup(ctx: Ctx, set: FiniteSet, group: ValueGroup, field: string): void {
  const { kind, verdict, values } = group;
  const backward = ctx.direction === 'BACKWARD';
  const noun = set.keyword === 'const' ? 'value' : values.length > 1 ? 'enum values' : 'enum value';
  const list = renderList(values, 'and');
  const listed = verdict.keyword === 'enum' || verdict.keyword === 'const';
  let change: string;
  let lost = `that use ${renderList(values, 'or')}`;
  if (kind === 'NULL_NO_LONGER_ALLOWED' || kind === 'NULL_NOW_ALLOWED') {
    change = backward ? 'no longer allows null' : 'now allows null';
    lost = 'where it is null';
  } else if (kind === 'CONST_CHANGED') {
    const [prev, next] = backward ? [values[0], verdict.expected] : [verdict.expected, values[0]];
    change = `const changed from ${render(prev)} to ${render(next)}`;
  } else if (backward) {
    change = listed ? `${noun} ${list} dropped` : `${noun} ${list} no longer accepted (${verdict.why})`;
  } else {
    change = listed
      ? `${noun} ${list} added`
      : `${noun} ${list} allowed, but version ${ctx.prev} rejects ${values.length > 1 ? 'them' : 'it'} (${verdict.why})`;
  }
  report(ctx, { kind, field, narrowAt: set.path, wideAt: verdict.path, change, lost });
}

// ---------------------------------------------------------------------------------------------------------
// Keywords the checker does not model
// ---------------------------------------------------------------------------------------------------------

/**
 * Conservative handling of everything outside the modelled keywords:
 * - independent 2020-12 assertions (not, if/then/else, contains, propertyNames, dependent*) on the wide side
 *   must appear identically on the narrow side; on the narrow side alone they can only shrink it (safe).
 *   With a finite narrow side (`valueMode`) they are evaluated exactly instead.
 * - context-dependent ones (unevaluated*, $dynamicRef) are judged by checkContextual.
 * - unknown keywords are safe only when identical on both sides: their meaning is unknown.
 */
function checkUnmodelled(
  ctx: Ctx,
  narrow: ObjectNode[],
  wide: ObjectNode[],
  field: string,
  valueMode: boolean,
): void {
  const flag = unmodelledReporter(ctx, field);
  const same = (a: ObjectNode, b: ObjectNode, name: string): boolean =>
    Object.hasOwn(a.schema, name) && sameKeyword(name, located(a, name), located(b, name));
  const sameGroup = (a: ObjectNode, b: ObjectNode, group: readonly string[]): boolean =>
    group.every((g) => (Object.hasOwn(b.schema, g) ? same(a, b, g) : !Object.hasOwn(a.schema, g)));

  for (const wideNode of wide) {
    for (const name of Object.keys(wideNode.schema)) {
      const cls = classify(name);
      if (cls === 'independent' && !valueMode) {
        const group = independentGroup(name);
        if (group.find((member) => Object.hasOwn(wideNode.schema, member)) !== name) continue; // once per group
        if (narrow.some((node) => sameGroup(node, wideNode, group))) continue;
        flag(
          name,
          narrow.find((node) => group.some((g) => Object.hasOwn(node.schema, g))),
          wideNode,
        );
      } else if (cls === 'unknown' && !valueMode) {
        if (!narrow.some((node) => same(node, wideNode, name))) {
          flag(
            name,
            narrow.find((node) => Object.hasOwn(node.schema, name)),
            wideNode,
          );
        }
      }
    }
  }
  for (const narrowNode of narrow) {
    for (const name of Object.keys(narrowNode.schema)) {
      if (classify(name) !== 'unknown') continue;
      if (!wide.some((node) => same(node, narrowNode, name))) {
        flag(
          name,
          narrowNode,
          wide.find((node) => Object.hasOwn(node.schema, name)),
        );
      }
    }
  }
}

/**
 * unevaluatedProperties/unevaluatedItems and $dynamicRef depend on everything around them (which properties
 * or items the sibling keywords evaluated). On the wide side they are only provably fine when the whole
 * subschema is unchanged; on the narrow side alone they can only shrink it.
 */
function checkContextual(ctx: Ctx, narrow: ObjectNode[], wide: ObjectNode[], field: string): void {
  const holders = wide.filter((node) =>
    Object.keys(node.schema).some((name) => classify(name) === 'contextual'),
  );
  if (holders.length === 0) return;
  const unchanged =
    narrow.length === wide.length &&
    wide.every((w) => narrow.some((n) => sameSchema(located(n), located(w))));
  if (unchanged) return;
  const flag = unmodelledReporter(ctx, field);
  for (const holder of holders) {
    for (const name of Object.keys(holder.schema).filter((n) => classify(n) === 'contextual')) {
      const own = narrow.find((node) => Object.hasOwn(node.schema, name));
      const kept = own !== undefined && sameKeyword(name, located(own, name), located(holder, name));
      flag(name, own, holder, kept ? `kept, but the schema around keyword '${name}' changed` : undefined);
    }
  }
}

type UnmodelledReporter = (
  name: string,
  narrowNode: ObjectNode | undefined,
  wideNode: ObjectNode | undefined,
  change?: string,
) => void;

/** Reports a keyword whose compatibility cannot be proven (once per keyword and location). */
function unmodelledReporter(ctx: Ctx, field: string): UnmodelledReporter {
  const flagged = new Set<string>();
  return (name, narrowNode, wideNode, change) => {
    const key = `${name} ${narrowNode?.path ?? ''} ${wideNode?.path ?? ''}`;
    if (flagged.has(key)) return;
    flagged.add(key);
    const onNarrow = narrowNode !== undefined && Object.hasOwn(narrowNode.schema, name);
    const onWide = wideNode !== undefined && Object.hasOwn(wideNode.schema, name);
    const backward = ctx.direction === 'BACKWARD';
    const [onPrev, onNext] = backward ? [onNarrow, onWide] : [onWide, onNarrow];
    const verb = onPrev && onNext ? 'changed' : onNext ? 'added' : 'removed';
    report(ctx, {
      kind: 'UNSUPPORTED_KEYWORD_CHANGED',
      field,
      narrowAt: onNarrow ? keywordPath(narrowNode, name) : undefined,
      wideAt: onWide ? keywordPath(wideNode, name) : undefined,
      change: change ?? `keyword '${name}' ${verb} in version ${ctx.next}`,
      lost: '',
      consequence: `cannot prove compatibility of keyword '${name}'; the checker does not model it, so any change to it is treated as breaking to stay safe`,
    });
  };
}
