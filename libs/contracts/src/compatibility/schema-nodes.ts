/**
 * Subschemas as the checker sees them: a raw JSON Schema value plus where it lives (its document and JSON
 * Pointer), so every finding can name the exact schema location. `$ref` and `allOf` are flattened into a
 * conjunction of plain nodes ("all of these must hold"), which is what JSON Schema 2020-12 means by them.
 */
import {
  compilePattern,
  deepEqual,
  isObject,
  pointerToken,
  unescapePointerToken,
  type JsonObject,
} from './json.js';

export interface SchemaDoc {
  readonly root: unknown;
  /** `$anchor` name → JSON Pointer, computed on first use. */
  anchors?: Map<string, string>;
}

export interface SchemaNode {
  readonly doc: SchemaDoc;
  /** JSON Pointer of this subschema inside its document ('' = the root). */
  readonly path: string;
  readonly schema: boolean | JsonObject;
  /** Identity used for cycle detection: the path plus the keywords stripped from the node. */
  readonly key: string;
}

export interface ObjectNode extends SchemaNode {
  readonly schema: JsonObject;
}

/** Pseudo-keyword standing for a subschema that is neither an object nor a boolean (malformed). */
export const MALFORMED = '(not a schema)';

export function nodeAt(doc: SchemaDoc, raw: unknown, path: string): SchemaNode {
  const schema = typeof raw === 'boolean' || isObject(raw) ? raw : { [MALFORMED]: raw };
  return { doc, path, schema, key: path };
}

export function isObjectNode(node: SchemaNode): node is ObjectNode {
  return typeof node.schema !== 'boolean';
}

/** The value of keyword `name` in a node (undefined when absent or the node is boolean). */
export function keyword(node: SchemaNode, name: string): unknown {
  return typeof node.schema !== 'boolean' && Object.hasOwn(node.schema, name) ? node.schema[name] : undefined;
}

export function keywordPath(node: SchemaNode, ...tokens: (string | number)[]): string {
  return node.path + tokens.map((token) => `/${pointerToken(token)}`).join('');
}

/** The subschema at `tokens` below a node, e.g. `child(node, 'properties', 'qtyKg')`. */
export function child(node: SchemaNode, ...tokens: (string | number)[]): SchemaNode | undefined {
  let raw: unknown = node.schema;
  for (const token of tokens) {
    if (typeof token === 'number') raw = Array.isArray(raw) ? raw[token] : undefined;
    else raw = isObject(raw) && Object.hasOwn(raw, token) ? raw[token] : undefined;
    if (raw === undefined) return undefined;
  }
  return nodeAt(node.doc, raw, keywordPath(node, ...tokens));
}

/** The same node with some keywords removed (their meaning is being handled elsewhere). */
export function without(node: ObjectNode, ...names: string[]): ObjectNode {
  const schema = { ...node.schema };
  for (const name of names) delete schema[name];
  return { ...node, schema, key: `${node.key}!${names.join('!')}` };
}

// ---------------------------------------------------------------------------------------------------------
// Keyword families
// ---------------------------------------------------------------------------------------------------------

/** Keywords that never change which instances are valid (annotations, identifiers, definitions). */
const NON_ASSERTIONS = new Set([
  'title',
  'description',
  'examples',
  '$comment',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
  '$schema',
  '$id',
  // In 2020-12 the content vocabulary is annotation-only, and Ajv does not assert it either.
  'contentEncoding',
  'contentMediaType',
  'contentSchema',
  // Definitions and identifiers only matter through a $ref, which is resolved where it is used.
  '$defs',
  'definitions',
  '$anchor',
  '$dynamicAnchor',
  '$vocabulary',
]);

/** Keywords the checker reasons about structurally. */
const MODELLED = new Set([
  'type',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'uniqueItems',
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'minProperties',
  'maxProperties',
  'anyOf',
  'oneOf',
  'allOf',
  '$ref',
]);

/**
 * 2020-12 assertions that are not modelled but act as independent conjuncts: their effect does not depend on
 * sibling keywords. If the wider schema carries one, the narrower one must carry the identical one; if only
 * the narrower schema carries it, it can only make the narrower set smaller, which is safe.
 * Keywords in one group (if/then/else; contains/minContains/maxContains) are compared together.
 */
const INDEPENDENT_GROUPS: readonly (readonly string[])[] = [
  ['not'],
  ['if', 'then', 'else'],
  ['contains', 'minContains', 'maxContains'],
  ['propertyNames'],
  ['dependentRequired'],
  ['dependentSchemas'],
];

/** Assertions whose effect depends on the rest of the schema: only an unchanged schema is provably safe. */
const CONTEXTUAL = new Set(['unevaluatedProperties', 'unevaluatedItems', '$dynamicRef', '$recursiveRef']);

export type KeywordClass = 'annotation' | 'modelled' | 'independent' | 'contextual' | 'unknown';

export function classify(name: string): KeywordClass {
  if (NON_ASSERTIONS.has(name)) return 'annotation';
  if (MODELLED.has(name)) return 'modelled';
  if (INDEPENDENT_GROUPS.some((group) => group.includes(name))) return 'independent';
  if (CONTEXTUAL.has(name)) return 'contextual';
  return 'unknown';
}

/** The keyword group an independent keyword belongs to (e.g. `then` → if/then/else). */
export function independentGroup(name: string): readonly string[] {
  return INDEPENDENT_GROUPS.find((group) => group.includes(name)) ?? [name];
}

function hasAssertions(schema: JsonObject): boolean {
  return Object.keys(schema).some((name) => classify(name) !== 'annotation');
}

// ---------------------------------------------------------------------------------------------------------
// $ref resolution
// ---------------------------------------------------------------------------------------------------------

/**
 * Resolves a reference made from the subschema at `from`: `#`, `#/json/pointer` (typically `#/$defs/x`),
 * `#anchor`, or the same prefixed with the `$id` of the enclosing resource. A fragment is relative to the
 * nearest enclosing schema resource (a subschema with its own `$id`), as in 2020-12. Anything else points
 * to another document and is unresolvable here.
 */
export function resolveRef(doc: SchemaDoc, ref: string, from = ''): SchemaNode | undefined {
  const resource = enclosingResource(doc, from);
  let fragment = ref;
  if (resource.id !== undefined && (ref === resource.id || ref.startsWith(`${resource.id}#`))) {
    fragment = ref.slice(resource.id.length) || '#';
  }
  if (!fragment.startsWith('#')) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(fragment.slice(1));
  } catch {
    return undefined;
  }
  if (decoded === '') return resolvePointer(doc, resource.path);
  if (!decoded.startsWith('/')) {
    const path = anchors(doc).get(decoded);
    return path === undefined ? undefined : resolvePointer(doc, path);
  }
  return resolvePointer(doc, resource.path + decoded);
}

/** The nearest subschema at or above `path` that declares `$id` (the root otherwise). */
function enclosingResource(doc: SchemaDoc, path: string): { path: string; id: string | undefined } {
  let raw: unknown = doc.root;
  let current = '';
  let found = { path: '', id: isObject(raw) && typeof raw.$id === 'string' ? raw.$id : undefined };
  for (const token of path.split('/').slice(1)) {
    current += `/${token}`;
    const key = unescapePointerToken(token);
    raw = Array.isArray(raw) ? raw[Number(key)] : isObject(raw) ? raw[key] : undefined;
    if (raw === undefined) break;
    if (isObject(raw) && typeof raw.$id === 'string') found = { path: current, id: raw.$id };
  }
  return found;
}

function resolvePointer(doc: SchemaDoc, pointer: string): SchemaNode | undefined {
  let raw: unknown = doc.root;
  for (const token of pointer.split('/').slice(1).map(unescapePointerToken)) {
    if (Array.isArray(raw) && /^(0|[1-9]\d*)$/.test(token)) raw = raw[Number(token)];
    else if (isObject(raw) && Object.hasOwn(raw, token)) raw = raw[token];
    else return undefined;
  }
  return raw === undefined ? undefined : nodeAt(doc, raw, pointer);
}

/** Keywords whose values are data, not subschemas: an `$anchor` inside them is not an anchor. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'examples', 'default']);

function anchors(doc: SchemaDoc): Map<string, string> {
  if (doc.anchors) return doc.anchors;
  const found = new Map<string, string>();
  const visit = (raw: unknown, path: string): void => {
    if (Array.isArray(raw)) raw.forEach((item, i) => visit(item, `${path}/${i}`));
    if (!isObject(raw)) return;
    if (typeof raw.$anchor === 'string' && !found.has(raw.$anchor)) found.set(raw.$anchor, path);
    for (const [name, value] of Object.entries(raw)) {
      if (!DATA_KEYWORDS.has(name)) visit(value, `${path}/${pointerToken(name)}`);
    }
  };
  visit(doc.root, '');
  doc.anchors = found;
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// Flattening into a conjunction
// ---------------------------------------------------------------------------------------------------------

export interface Conjunction {
  /** Plain nodes without `$ref`/`allOf`; all must hold. Empty = accepts everything. */
  readonly nodes: ObjectNode[];
  /** A `false` schema among the conjuncts: nothing is valid. */
  readonly unsat?: SchemaNode;
  /** `$ref`s that could not be followed (their constraint is unknown). */
  readonly unresolved: { readonly node: SchemaNode; readonly ref: string }[];
}

/**
 * Flattens `$ref` (which in 2020-12 applies alongside its sibling keywords) and `allOf` into one list of
 * conjuncts. A reference already being flattened is skipped: `x ∩ x = x`, and it stops reference cycles.
 */
export function flatten(input: readonly SchemaNode[]): Conjunction {
  const nodes: ObjectNode[] = [];
  const unresolved: { node: SchemaNode; ref: string }[] = [];
  let unsat: SchemaNode | undefined;
  const seen = new Set<string>();
  const visit = (node: SchemaNode): void => {
    if (node.schema === true) return;
    if (node.schema === false) {
      unsat ??= node;
      return;
    }
    let rest = node as ObjectNode;
    const ref = rest.schema.$ref;
    if (typeof ref === 'string') {
      const target = resolveRef(node.doc, ref, node.path);
      if (!target) unresolved.push({ node, ref });
      else if (!seen.has(target.path)) {
        seen.add(target.path);
        visit(target);
      }
      rest = without(rest, '$ref');
    }
    const allOf = rest.schema.allOf;
    if (Array.isArray(allOf)) {
      const holder = rest;
      allOf.forEach((_, i) => {
        const member = child(holder, 'allOf', i);
        if (member) visit(member);
      });
      rest = without(rest, 'allOf');
    }
    // The same conjunct twice adds nothing (and would make recursive unions grow without end).
    if (hasAssertions(rest.schema) && !nodes.some((other) => other.key === rest.key)) nodes.push(rest);
  };
  input.forEach(visit);
  return unsat ? { nodes, unsat, unresolved } : { nodes, unresolved };
}

/** All subschemas that constrain property `name` in each conjunct (properties, then patternProperties, else additionalProperties). */
export function propertyNodes(nodes: readonly ObjectNode[], name: string): SchemaNode[] {
  const out: SchemaNode[] = [];
  for (const node of nodes) {
    const declared = isObject(node.schema.properties) && Object.hasOwn(node.schema.properties, name);
    if (declared) {
      out.push(child(node, 'properties', name) as SchemaNode);
      continue;
    }
    const matched = patternKeys(node)
      .filter((pattern) => compilePattern(pattern)?.test(name))
      .map((pattern) => child(node, 'patternProperties', pattern) as SchemaNode);
    if (matched.length > 0) out.push(...matched);
    else {
      const additional = child(node, 'additionalProperties');
      if (additional) out.push(additional);
    }
  }
  return out;
}

export function patternKeys(node: ObjectNode): string[] {
  return isObject(node.schema.patternProperties) ? Object.keys(node.schema.patternProperties) : [];
}

const SCHEMA_VALUED = new Set([
  'items',
  'additionalProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
]);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas']);
const SCHEMA_LISTS = new Set(['prefixItems', 'allOf', 'anyOf', 'oneOf']);

/** A raw JSON value together with its document and location (to resolve `$ref`s inside it). */
export interface Located {
  readonly raw: unknown;
  readonly doc: SchemaDoc;
  readonly path: string;
}

export function located(node: SchemaNode, ...tokens: (string | number)[]): Located {
  let raw: unknown = node.schema;
  for (const token of tokens) {
    const holder = Array.isArray(raw) || isObject(raw) ? (raw as Record<string, unknown>) : undefined;
    raw = holder && Object.hasOwn(holder, token) ? holder[token] : undefined;
  }
  return { raw, doc: node.doc, path: keywordPath(node, ...tokens) };
}

function below(at: Located, value: unknown, token: string | number): Located {
  return { raw: value, doc: at.doc, path: `${at.path}/${pointerToken(token)}` };
}

/**
 * Equality of two subschemas from (possibly) different documents, for "is this keyword unchanged?":
 * annotations are ignored, a schema without assertions equals `true`, and local `$ref`s are compared by
 * what they point to (an unchanged reference to a changed definition is not equal).
 */
export function sameSchema(a: Located, b: Located, assumed = new Set<string>()): boolean {
  const rawA = isObject(a.raw) && !hasAssertions(a.raw) ? true : a.raw;
  const rawB = isObject(b.raw) && !hasAssertions(b.raw) ? true : b.raw;
  if (!isObject(rawA) || !isObject(rawB)) return deepEqual(rawA, rawB);
  const keysA = Object.keys(rawA).filter((name) => classify(name) !== 'annotation');
  const keysB = Object.keys(rawB).filter((name) => classify(name) !== 'annotation');
  return (
    keysA.length === keysB.length &&
    keysA.every(
      (name) =>
        Object.hasOwn(rawB, name) &&
        sameKeyword(name, below(a, rawA[name], name), below(b, rawB[name], name), assumed),
    )
  );
}

/** Equality of one keyword's values, by what the keyword holds (a schema, a map or list of schemas, or data). */
export function sameKeyword(name: string, a: Located, b: Located, assumed = new Set<string>()): boolean {
  if (SCHEMA_VALUED.has(name)) return sameSchema(a, b, assumed);
  if (SCHEMA_MAPS.has(name) || SCHEMA_LISTS.has(name)) {
    const listA = a.raw;
    const listB = b.raw;
    const keysA = isObject(listA) || Array.isArray(listA) ? Object.keys(listA) : undefined;
    const keysB = isObject(listB) || Array.isArray(listB) ? Object.keys(listB) : undefined;
    if (!keysA || !keysB || Array.isArray(listA) !== Array.isArray(listB)) return deepEqual(listA, listB);
    const valueA = listA as Record<string, unknown>;
    const valueB = listB as Record<string, unknown>;
    return (
      keysA.length === keysB.length &&
      keysA.every(
        (key) =>
          Object.hasOwn(valueB, key) &&
          sameSchema(below(a, valueA[key], key), below(b, valueB[key], key), assumed),
      )
    );
  }
  if (name === '$ref' && typeof a.raw === 'string' && typeof b.raw === 'string')
    return sameRef(a, b, assumed);
  return deepEqual(a.raw, b.raw);
}

/** `a` and `b` are the `$ref` keyword values; their paths end in `/$ref`. */
function sameRef(a: Located, b: Located, assumed: Set<string>): boolean {
  const refA = a.raw as string;
  const refB = b.raw as string;
  const targetA = resolveRef(a.doc, refA, a.path.slice(0, -'/$ref'.length));
  const targetB = resolveRef(b.doc, refB, b.path.slice(0, -'/$ref'.length));
  if (!targetA || !targetB) return !targetA && !targetB && refA === refB;
  const pair = `${targetA.path}|${targetB.path}`;
  if (assumed.has(pair)) return true; // a cycle: equal unless something else differs
  assumed.add(pair);
  return sameSchema(located(targetA), located(targetB), assumed);
}
