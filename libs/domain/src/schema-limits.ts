/**
 * Limits on a contract's JSON Schema, checked before anything expensive (Ajv compilation, the compatibility
 * check, an ODCS import's result) touches it: a member cannot make a service spend seconds or megabytes on
 * one schema. The one place the limits live; each service reads overrides from its environment
 * (`SCHEMA_MAX_*`, see {@link schemaLimitsFromEnv}) and docs/security/redos.md lists them.
 *
 * The walk is iterative and stops at the first limit exceeded, so refusing a 5 MB schema costs a
 * serialisation and a bounded walk, not a compilation. Every refusal names the limit and a JSON Pointer.
 */
import { DomainError } from './errors.js';
import type { CodeOfKind } from './error-codes.js';
import { compileLinear, PatternNotSupported } from './linear-regex.js';

export interface SchemaLimits {
  /** UTF-8 bytes of the schema serialised as JSON. */
  maxBytes: number;
  /** JSON nesting depth (objects and arrays) anywhere in the schema document. */
  maxDepth: number;
  /** Property names declared under `properties` across the whole schema. */
  maxProperties: number;
  /** Schema objects (the root, every property, item, branch, definition…). */
  maxSubschemas: number;
  /** `pattern` keywords plus `patternProperties` keys. */
  maxPatterns: number;
  /** Characters in one pattern. */
  maxPatternLength: number;
  /** RE2 program size of one pattern (a measure of its automaton, e.g. `x{1000}` ≈ 1,000). */
  maxPatternProgramSize: number;
}

export const DEFAULT_SCHEMA_LIMITS: Readonly<SchemaLimits> = Object.freeze({
  maxBytes: 256 * 1024,
  maxDepth: 32,
  maxProperties: 1_000,
  maxSubschemas: 2_000,
  maxPatterns: 100,
  maxPatternLength: 512,
  maxPatternProgramSize: 2_000,
});

const ENV: Record<keyof SchemaLimits, string> = {
  maxBytes: 'SCHEMA_MAX_BYTES',
  maxDepth: 'SCHEMA_MAX_DEPTH',
  maxProperties: 'SCHEMA_MAX_PROPERTIES',
  maxSubschemas: 'SCHEMA_MAX_SUBSCHEMAS',
  maxPatterns: 'SCHEMA_MAX_PATTERNS',
  maxPatternLength: 'SCHEMA_MAX_PATTERN_LENGTH',
  maxPatternProgramSize: 'SCHEMA_MAX_PATTERN_PROGRAM_SIZE',
};

/** The defaults, each overridable by its `SCHEMA_MAX_*` variable (a positive integer, else boot fails). */
export function schemaLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): SchemaLimits {
  const limits = { ...DEFAULT_SCHEMA_LIMITS };
  for (const key of Object.keys(ENV) as (keyof SchemaLimits)[]) {
    const raw = env[ENV[key]];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new Error(`${ENV[key]} must be a positive integer, got '${raw}'`);
    }
    limits[key] = value;
  }
  return limits;
}

/** Keywords whose value is one subschema, a map of subschemas, or a list of subschemas (2020-12 and 07). */
const ONE = new Set([
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'additionalItems',
  'items',
  'contains',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
  'contentSchema',
]);
const MAP = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const LIST = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items']);

const token = (t: string | number) => String(t).replace(/~/g, '~0').replace(/\//g, '~1');

function refuse<K extends 'bad-request' | 'unprocessable'>(
  code: CodeOfKind<K>,
  kind: K,
  message: string,
  path: string,
  detail: string,
  hint: string,
): DomainError {
  return new DomainError(code, kind, message, { details: [{ path, message: detail }], hint });
}

const tooComplex = (what: string, limit: number, path: string, hint: string) =>
  refuse(
    'CONTRACT.SCHEMA_TOO_COMPLEX',
    'unprocessable',
    `The schema declares more ${what} than the limit of ${limit}`,
    path,
    `${what} number ${limit + 1}; the limit is ${limit}`,
    hint,
  );

/**
 * Refuses a schema beyond any limit, or with a pattern RE2 cannot run: 422 `CONTRACT.SCHEMA_TOO_LARGE`,
 * `CONTRACT.SCHEMA_TOO_DEEP`, `CONTRACT.SCHEMA_TOO_COMPLEX`, `CONTRACT.PATTERN_TOO_COMPLEX`, or 400
 * `CONTRACT.PATTERN_NOT_SUPPORTED`, each naming the limit and the JSON Pointer (under `base`) where it
 * was exceeded.
 *
 * `compilePatterns: false` skips compiling each pattern with RE2 (its support and program size): a
 * 500-character pattern of counted repetitions takes RE2 a fifth of a second to compile, so on an event
 * loop only the cheap checks run, and the full check runs where a time budget applies (a worker).
 */
export function assertSchemaWithinLimits(
  schema: unknown,
  base = '/schema',
  limits: SchemaLimits = DEFAULT_SCHEMA_LIMITS,
  compilePatterns = true,
): void {
  const bytes = Buffer.byteLength(JSON.stringify(schema) ?? '', 'utf8');
  if (bytes > limits.maxBytes) {
    throw refuse(
      'CONTRACT.SCHEMA_TOO_LARGE',
      'unprocessable',
      `The schema is ${bytes} bytes; the limit is ${limits.maxBytes}`,
      base,
      `${bytes} bytes serialised as JSON; at most ${limits.maxBytes}`,
      'Split the payload into several datasets, or move long descriptions out of the schema',
    );
  }
  assertDepth(schema, base, limits.maxDepth);
  const counts = { properties: 0, subschemas: 0, patterns: 0 };
  // Iterative walk over schema positions only: `const`, `enum`, `default` and `examples` hold data, so a
  // key called "pattern" inside them is not a pattern.
  const stack: { node: unknown; path: string }[] = [{ node: schema, path: base }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (typeof node !== 'object' || node === null || Array.isArray(node)) continue;
    if (++counts.subschemas > limits.maxSubschemas) {
      throw tooComplex(
        'subschemas',
        limits.maxSubschemas,
        path,
        'Reuse definitions with $ref instead of repeating them, or split the dataset',
      );
    }
    const object = node as Record<string, unknown>;
    if (typeof object.pattern === 'string') {
      countPattern(counts, limits, `${path}/pattern`);
      checkPattern(object.pattern, `${path}/pattern`, limits, compilePatterns);
    }
    for (const [keyword, value] of Object.entries(object)) {
      const at = `${path}/${token(keyword)}`;
      if (MAP.has(keyword) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
        for (const [name, child] of Object.entries(value)) {
          const childPath = `${at}/${token(name)}`;
          if (keyword === 'properties' && ++counts.properties > limits.maxProperties) {
            throw tooComplex(
              'properties',
              limits.maxProperties,
              childPath,
              'Group fields into fewer, nested objects, or split the dataset',
            );
          }
          if (keyword === 'patternProperties') {
            countPattern(counts, limits, childPath);
            checkPattern(name, childPath, limits, compilePatterns);
          }
          stack.push({ node: child, path: childPath });
        }
      } else if (LIST.has(keyword) && Array.isArray(value)) {
        value.forEach((child, i) => stack.push({ node: child, path: `${at}/${i}` }));
      } else if (ONE.has(keyword)) {
        stack.push({ node: value, path: at });
      }
    }
  }
}

function countPattern(counts: { patterns: number }, limits: SchemaLimits, path: string) {
  if (++counts.patterns > limits.maxPatterns) {
    throw refuse(
      'CONTRACT.PATTERN_TOO_COMPLEX',
      'unprocessable',
      `The schema has more than ${limits.maxPatterns} patterns`,
      path,
      `pattern number ${counts.patterns}; the limit is ${limits.maxPatterns}`,
      'Use enum or format where they fit, or fewer patterns',
    );
  }
}

function checkPattern(pattern: string, path: string, limits: SchemaLimits, compile: boolean) {
  if (pattern.length > limits.maxPatternLength) {
    throw refuse(
      'CONTRACT.PATTERN_TOO_COMPLEX',
      'unprocessable',
      `A pattern is ${pattern.length} characters long; the limit is ${limits.maxPatternLength}`,
      path,
      `${pattern.length} characters; at most ${limits.maxPatternLength}`,
      'Shorten the pattern, or use enum or format',
    );
  }
  if (!compile) return;
  let programSize: number;
  try {
    programSize = compileLinear(pattern).programSize;
  } catch (error) {
    if (!(error instanceof PatternNotSupported)) throw error;
    throw refuse(
      'CONTRACT.PATTERN_NOT_SUPPORTED',
      'bad-request',
      `A pattern cannot be matched in linear time: ${error.reason}`,
      path,
      error.reason,
      'Patterns run on RE2 (linear time): rewrite it without backreferences or lookaround (see docs/security/redos.md)',
    );
  }
  if (programSize > limits.maxPatternProgramSize) {
    throw refuse(
      'CONTRACT.PATTERN_TOO_COMPLEX',
      'unprocessable',
      `A pattern compiles to ${programSize} instructions; the limit is ${limits.maxPatternProgramSize}`,
      path,
      `RE2 program size ${programSize}; at most ${limits.maxPatternProgramSize} (large counted repetitions such as x{1000} cost one instruction per repetition)`,
      'Use smaller repetition counts (check lengths with minLength / maxLength instead)',
    );
  }
}

/** JSON nesting depth, iteratively (a deep document must not exhaust the stack of the check itself). */
function assertDepth(root: unknown, base: string, maxDepth: number) {
  const stack: { node: unknown; depth: number; path: string }[] = [{ node: root, depth: 1, path: base }];
  while (stack.length > 0) {
    const { node, depth, path } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > maxDepth) {
      throw refuse(
        'CONTRACT.SCHEMA_TOO_DEEP',
        'unprocessable',
        `The schema nests deeper than ${maxDepth} levels`,
        path,
        `nesting level ${depth}; at most ${maxDepth}`,
        'Flatten the payload, or reuse definitions with $ref',
      );
    }
    const entries = Array.isArray(node) ? node.map((v, i) => [i, v] as const) : Object.entries(node);
    for (const [key, value] of entries) {
      if (typeof value === 'object' && value !== null) {
        stack.push({ node: value, depth: depth + 1, path: `${path}/${token(key)}` });
      }
    }
  }
}
