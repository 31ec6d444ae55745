/** Small JSON helpers shared by the compatibility checker. */
import { LinearPatternCache, type LinearPattern } from '@renkei/domain';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON equality: key order does not matter, `1` equals `1.0` (they are the same JSON number). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]))
    );
  }
  return false;
}

/** Escapes one JSON Pointer reference token (RFC 6901). */
export function pointerToken(token: string | number): string {
  return String(token).replaceAll('~', '~0').replaceAll('/', '~1');
}

export function unescapePointerToken(token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** A value as a data engineer would write it in a message: strings quoted, the rest as JSON, shortened. */
export function render(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `'A'`, `'A' and 'B'`, `'A', 'B' and 'C'`. */
export function renderList(values: readonly unknown[], conjunction = 'and'): string {
  const items = values.map(render);
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1) ?? ''}`;
}

/** Order-preserving de-duplication by JSON equality. */
export function uniqueValues(values: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const value of values) if (!out.some((seen) => deepEqual(seen, value))) out.push(value);
  return out;
}

/**
 * Compiles a JSON Schema `pattern` on RE2 (linear time: the checker evaluates member-supplied patterns
 * against values, and a backtracking engine would let one pattern stall the service); undefined when RE2
 * cannot compile it. The cache is bounded.
 */
const patterns = new LinearPatternCache();
export function compilePattern(pattern: string): LinearPattern | undefined {
  return patterns.get(pattern);
}
