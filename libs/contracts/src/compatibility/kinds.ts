/**
 * JSON types as sets. `number` is split into `integer` and `fraction` (non-integer numbers) so that
 * "integer ⊂ number" is plain set inclusion.
 */
import type { ObjectNode } from './schema-nodes.js';

export type Kind = 'null' | 'boolean' | 'object' | 'array' | 'string' | 'integer' | 'fraction';
export type Kinds = ReadonlySet<Kind>;

export const ALL_KINDS: Kinds = new Set<Kind>([
  'object',
  'array',
  'string',
  'integer',
  'fraction',
  'boolean',
  'null',
]);

const BY_TYPE_NAME: Record<string, readonly Kind[]> = {
  null: ['null'],
  boolean: ['boolean'],
  object: ['object'],
  array: ['array'],
  string: ['string'],
  integer: ['integer'],
  number: ['integer', 'fraction'],
};

/** Kinds allowed by a `type` keyword value (undefined: not a usable `type`, so no restriction). */
export function kindsOfType(type: unknown): Kinds | undefined {
  const names = typeof type === 'string' ? [type] : Array.isArray(type) ? type : undefined;
  if (!names) return undefined;
  return new Set(names.flatMap((name) => (typeof name === 'string' ? (BY_TYPE_NAME[name] ?? []) : [])));
}

/** Kinds a conjunction allows through its `type` keywords (composition keywords are ignored: an over-approximation). */
export function kindsOf(nodes: readonly ObjectNode[]): Kinds {
  let kinds: Kinds = ALL_KINDS;
  for (const node of nodes) {
    const own = kindsOfType(node.schema.type);
    if (own) kinds = intersect(kinds, own);
  }
  return kinds;
}

export function kindOfValue(value: unknown): Kind | undefined {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'fraction';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return undefined;
}

export function intersect(a: Kinds, b: Kinds): Kinds {
  return new Set([...a].filter((kind) => b.has(kind)));
}

export function minus(a: Kinds, b: Kinds): Kinds {
  return new Set([...a].filter((kind) => !b.has(kind)));
}

export function isSubset(a: Kinds, b: Kinds): boolean {
  return [...a].every((kind) => b.has(kind));
}

export function overlaps(a: Kinds, b: Kinds): boolean {
  return [...a].some((kind) => b.has(kind));
}

export const hasNumbers = (kinds: Kinds): boolean => kinds.has('integer') || kinds.has('fraction');
export const onlyIntegers = (kinds: Kinds): boolean => kinds.has('integer') && !kinds.has('fraction');

/** The `type` names for a set of kinds, in a stable order. */
function typeNames(kinds: Kinds): string[] {
  const names: string[] = [];
  for (const name of ['object', 'array', 'string'] as const) if (kinds.has(name)) names.push(name);
  if (kinds.has('fraction')) names.push('number');
  else if (kinds.has('integer')) names.push('integer');
  for (const name of ['boolean', 'null'] as const) if (kinds.has(name)) names.push(name);
  return names;
}

/** As a `type` keyword would be written: `'string'` or `['number', 'null']`. */
export function renderType(kinds: Kinds): string {
  const names = typeNames(kinds).map((name) => `'${name}'`);
  if (names.length === 0) return 'nothing';
  return names.length === 1 ? (names[0] ?? '') : `[${names.join(', ')}]`;
}

/** In words: "a string", "a non-integer number", "a string or null". */
export function describeKinds(kinds: Kinds): string {
  const words: string[] = [];
  if (kinds.has('object')) words.push('an object');
  if (kinds.has('array')) words.push('an array');
  if (kinds.has('string')) words.push('a string');
  if (kinds.has('integer') && kinds.has('fraction')) words.push('a number');
  else if (kinds.has('fraction')) words.push('a non-integer number');
  else if (kinds.has('integer')) words.push('an integer');
  if (kinds.has('boolean')) words.push('a boolean');
  if (kinds.has('null')) words.push('null');
  return words.join(' or ');
}
