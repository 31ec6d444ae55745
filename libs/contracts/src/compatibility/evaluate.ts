/**
 * Validates one concrete JSON value against a schema, three-valued: accepted, rejected (with the keyword
 * that rejects it), or unknown (a keyword this evaluator cannot decide, e.g. `format`). Used where the
 * narrower side is a finite set of values (`enum`/`const`): then checking each value is exact.
 */
import { compilePattern, deepEqual, isObject, render, renderList } from './json.js';
import { kindOfValue, kindsOfType, renderType } from './kinds.js';
import { child, classify, keyword, keywordPath, resolveRef, type SchemaNode } from './schema-nodes.js';

export type Verdict =
  | { readonly status: 'accepted' }
  | {
      readonly status: 'rejected';
      readonly keyword: string;
      readonly path: string;
      readonly why: string;
      readonly expected?: unknown;
    }
  | { readonly status: 'unknown'; readonly keyword: string; readonly path: string };

const ACCEPTED: Verdict = { status: 'accepted' };
const MAX_DEPTH = 64;

/** Evaluates a conjunction of nodes (all must accept). */
export function evaluate(nodes: readonly SchemaNode[], value: unknown): Verdict {
  return combine(nodes.map((node) => () => evalNode(node, value, 0)));
}

/** First rejection wins; otherwise the first unknown; otherwise accepted. Lazy, so rejection short-circuits. */
function combine(checks: readonly (() => Verdict)[]): Verdict {
  let unknown: Verdict | undefined;
  for (const check of checks) {
    const verdict = check();
    if (verdict.status === 'rejected') return verdict;
    if (verdict.status === 'unknown') unknown ??= verdict;
  }
  return unknown ?? ACCEPTED;
}

function rejected(node: SchemaNode, name: string, why: string, expected?: unknown): Verdict {
  return { status: 'rejected', keyword: name, path: keywordPath(node, name), why, expected };
}

function unknown(node: SchemaNode, name: string): Verdict {
  return { status: 'unknown', keyword: name, path: keywordPath(node, name) };
}

/** `type`, `const` and `enum` first, so a rejection names the most telling keyword. */
const FIRST = ['type', 'const', 'enum'];

function evalNode(node: SchemaNode, value: unknown, depth: number): Verdict {
  if (node.schema === true) return ACCEPTED;
  if (node.schema === false)
    return { status: 'rejected', keyword: 'false', path: node.path, why: 'nothing is allowed' };
  if (depth > MAX_DEPTH) return unknown(node, '$ref');
  const names = Object.keys(node.schema).sort(
    (a, b) => (FIRST.indexOf(a) + 1 || 99) - (FIRST.indexOf(b) + 1 || 99),
  );
  return combine(names.map((name) => () => evalKeyword(node, name, value, depth)));
}

function sub(node: SchemaNode, value: unknown, depth: number, ...tokens: (string | number)[]): Verdict {
  const target = child(node, ...tokens);
  return target ? evalNode(target, value, depth + 1) : ACCEPTED;
}

function evalKeyword(node: SchemaNode, name: string, value: unknown, depth: number): Verdict {
  const arg = keyword(node, name);
  switch (name) {
    case 'type': {
      const kinds = kindsOfType(arg);
      const kind = kindOfValue(value);
      if (!kinds || !kind) return unknown(node, name);
      return kinds.has(kind) ? ACCEPTED : rejected(node, name, `must be ${renderType(kinds)}`, arg);
    }
    case 'const':
      return deepEqual(value, arg) ? ACCEPTED : rejected(node, name, `must be ${render(arg)}`, arg);
    case 'enum':
      if (!Array.isArray(arg)) return unknown(node, name);
      return arg.some((item) => deepEqual(item, value))
        ? ACCEPTED
        : rejected(node, name, `must be one of ${renderList(arg, 'or')}`, arg);
    case '$ref': {
      if (typeof arg !== 'string') return unknown(node, name);
      const target = resolveRef(node.doc, arg, node.path);
      return target ? evalNode(target, value, depth + 1) : unknown(node, name);
    }
    case 'allOf':
    case 'anyOf':
    case 'oneOf':
      return evalComposition(node, name, arg, value, depth);
    case 'not': {
      const inner = sub(node, value, depth, 'not');
      if (inner.status === 'unknown') return inner;
      return inner.status === 'accepted'
        ? rejected(node, name, 'matches the excluded schema (not)')
        : ACCEPTED;
    }
    case 'if': {
      const condition = sub(node, value, depth, 'if');
      if (condition.status === 'unknown') return condition;
      return sub(node, value, depth, condition.status === 'accepted' ? 'then' : 'else');
    }
    case 'then':
    case 'else':
    case 'minContains':
    case 'maxContains':
      return ACCEPTED; // evaluated with `if` / `contains`
    default:
      break;
  }
  if (typeof value === 'number') return evalNumber(node, name, arg, value);
  if (typeof value === 'string') return evalString(node, name, arg, value);
  if (Array.isArray(value)) return evalArray(node, name, arg, value, depth);
  if (isObject(value)) return evalObject(node, name, arg, value, depth);
  return evalOther(node, name);
}

function evalComposition(
  node: SchemaNode,
  name: string,
  arg: unknown,
  value: unknown,
  depth: number,
): Verdict {
  if (!Array.isArray(arg)) return unknown(node, name);
  const verdicts = arg.map((_, i) => sub(node, value, depth, name, i));
  if (name === 'allOf') return combine(verdicts.map((verdict) => () => verdict));
  const accepted = verdicts.filter((verdict) => verdict.status === 'accepted').length;
  const undecided = verdicts.filter((verdict) => verdict.status === 'unknown').length;
  if (name === 'anyOf') {
    if (accepted > 0) return ACCEPTED;
    return undecided > 0
      ? unknown(node, name)
      : rejected(node, name, 'matches none of the alternatives (anyOf)');
  }
  if (accepted > 1) return rejected(node, name, 'matches more than one alternative (oneOf)');
  if (undecided > 0) return unknown(node, name);
  return accepted === 1 ? ACCEPTED : rejected(node, name, 'matches none of the alternatives (oneOf)');
}

/** Keywords that only apply to other JSON types accept; keywords this evaluator does not know are unknown. */
function evalOther(node: SchemaNode, name: string): Verdict {
  const cls = classify(name);
  if (cls === 'annotation') return ACCEPTED;
  if (cls === 'contextual' || cls === 'unknown') return unknown(node, name);
  return ACCEPTED;
}

function evalNumber(node: SchemaNode, name: string, arg: unknown, value: number): Verdict {
  if (typeof arg !== 'number') return evalOther(node, name);
  switch (name) {
    case 'minimum':
      return value >= arg ? ACCEPTED : rejected(node, name, `must be >= ${arg}`, arg);
    case 'exclusiveMinimum':
      return value > arg ? ACCEPTED : rejected(node, name, `must be > ${arg}`, arg);
    case 'maximum':
      return value <= arg ? ACCEPTED : rejected(node, name, `must be <= ${arg}`, arg);
    case 'exclusiveMaximum':
      return value < arg ? ACCEPTED : rejected(node, name, `must be < ${arg}`, arg);
    case 'multipleOf':
      return isMultipleOf(value, arg) ? ACCEPTED : rejected(node, name, `must be a multiple of ${arg}`, arg);
    default:
      return evalOther(node, name);
  }
}

/** `value` is an integer multiple of `step`, tolerating binary floating-point noise (0.3 / 0.1). */
export function isMultipleOf(value: number, step: number): boolean {
  if (step <= 0) return false;
  const quotient = value / step;
  return Math.abs(quotient - Math.round(quotient)) <= 1e-9 * Math.max(1, Math.abs(quotient));
}

function evalString(node: SchemaNode, name: string, arg: unknown, value: string): Verdict {
  const length = [...value].length; // JSON Schema counts code points
  switch (name) {
    case 'minLength':
      return typeof arg !== 'number' || length >= arg
        ? ACCEPTED
        : rejected(node, name, `must have at least ${arg} characters`, arg);
    case 'maxLength':
      return typeof arg !== 'number' || length <= arg
        ? ACCEPTED
        : rejected(node, name, `must have at most ${arg} characters`, arg);
    case 'pattern': {
      const regex = typeof arg === 'string' ? compilePattern(arg) : undefined;
      if (!regex) return unknown(node, name);
      return regex.test(value) ? ACCEPTED : rejected(node, name, `must match ${render(arg)}`, arg);
    }
    case 'format':
      return unknown(node, name); // format checks live in Ajv; this evaluator does not guess them
    default:
      return evalOther(node, name);
  }
}

function evalArray(node: SchemaNode, name: string, arg: unknown, value: unknown[], depth: number): Verdict {
  switch (name) {
    case 'minItems':
      return typeof arg !== 'number' || value.length >= arg
        ? ACCEPTED
        : rejected(node, name, `must have at least ${arg} items`, arg);
    case 'maxItems':
      return typeof arg !== 'number' || value.length <= arg
        ? ACCEPTED
        : rejected(node, name, `must have at most ${arg} items`, arg);
    case 'uniqueItems':
      return arg !== true ||
        value.every((item, i) => value.findIndex((other) => deepEqual(other, item)) === i)
        ? ACCEPTED
        : rejected(node, name, 'must not contain duplicates', arg);
    case 'prefixItems':
      if (!Array.isArray(arg)) return unknown(node, name);
      return combine(value.slice(0, arg.length).map((item, i) => () => sub(node, item, depth, name, i)));
    case 'items': {
      const prefix = keyword(node, 'prefixItems');
      const start = Array.isArray(prefix) ? prefix.length : 0;
      return combine(value.slice(start).map((item) => () => sub(node, item, depth, name)));
    }
    case 'contains': {
      const matches = value.filter((item) => sub(node, item, depth, name).status === 'accepted').length;
      if (value.some((item) => sub(node, item, depth, name).status === 'unknown')) return unknown(node, name);
      const min = keyword(node, 'minContains');
      const max = keyword(node, 'maxContains');
      const ok =
        matches >= (typeof min === 'number' ? min : 1) && (typeof max !== 'number' || matches <= max);
      return ok ? ACCEPTED : rejected(node, name, 'does not contain the required items', arg);
    }
    default:
      return evalOther(node, name);
  }
}

function evalObject(
  node: SchemaNode,
  name: string,
  arg: unknown,
  value: Record<string, unknown>,
  depth: number,
): Verdict {
  const keys = Object.keys(value);
  switch (name) {
    case 'required': {
      if (!Array.isArray(arg)) return unknown(node, name);
      const missing: unknown = (arg as unknown[]).find(
        (key) => typeof key === 'string' && !Object.hasOwn(value, key),
      );
      return missing === undefined ? ACCEPTED : rejected(node, name, `must have ${render(missing)}`, arg);
    }
    case 'minProperties':
      return typeof arg !== 'number' || keys.length >= arg
        ? ACCEPTED
        : rejected(node, name, `must have at least ${arg} properties`, arg);
    case 'maxProperties':
      return typeof arg !== 'number' || keys.length <= arg
        ? ACCEPTED
        : rejected(node, name, `must have at most ${arg} properties`, arg);
    case 'properties':
      if (!isObject(arg)) return unknown(node, name);
      return combine(
        keys
          .filter((key) => Object.hasOwn(arg, key))
          .map((key) => () => sub(node, value[key], depth, name, key)),
      );
    case 'patternProperties':
      return evalPatternProperties(node, arg, value, depth);
    case 'additionalProperties': {
      const declared = keyword(node, 'properties');
      const patterns = keyword(node, 'patternProperties');
      const patternList = isObject(patterns) ? Object.keys(patterns) : [];
      if (patternList.some((pattern) => !compilePattern(pattern))) return unknown(node, 'patternProperties');
      const extra = keys.filter(
        (key) =>
          !(isObject(declared) && Object.hasOwn(declared, key)) &&
          !patternList.some((pattern) => compilePattern(pattern)?.test(key)),
      );
      return combine(extra.map((key) => () => sub(node, value[key], depth, name)));
    }
    case 'propertyNames':
      return combine(keys.map((key) => () => sub(node, key, depth, name)));
    case 'dependentRequired': {
      if (!isObject(arg)) return unknown(node, name);
      const broken = Object.entries(arg).some(
        ([key, needs]) =>
          Object.hasOwn(value, key) &&
          Array.isArray(needs) &&
          needs.some((need) => typeof need === 'string' && !Object.hasOwn(value, need)),
      );
      return broken ? rejected(node, name, 'misses a dependent property') : ACCEPTED;
    }
    case 'dependentSchemas':
      if (!isObject(arg)) return unknown(node, name);
      return combine(
        keys.filter((key) => Object.hasOwn(arg, key)).map((key) => () => sub(node, value, depth, name, key)),
      );
    default:
      return evalOther(node, name);
  }
}

function evalPatternProperties(
  node: SchemaNode,
  arg: unknown,
  value: Record<string, unknown>,
  depth: number,
): Verdict {
  if (!isObject(arg)) return unknown(node, 'patternProperties');
  const checks: (() => Verdict)[] = [];
  for (const pattern of Object.keys(arg)) {
    const regex = compilePattern(pattern);
    if (!regex) return unknown(node, 'patternProperties');
    for (const key of Object.keys(value)) {
      if (regex.test(key)) checks.push(() => sub(node, value[key], depth, 'patternProperties', pattern));
    }
  }
  return combine(checks);
}
