import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.js';
import { assertCompilableSchema } from './json-schema.js';
import { assertSchemaWithinLimits, DEFAULT_SCHEMA_LIMITS, schemaLimitsFromEnv } from './schema-limits.js';

/** The refusal a check throws, as code, kind and its one detail. */
function refusal(check: () => void) {
  try {
    check();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { code: error.code, kind: error.kind, path: error.details[0]?.path, message: error.message };
  }
  throw new Error('expected a refusal');
}

const props = (n: number, schema: (i: number) => unknown = () => ({ type: 'string' })) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, schema(i)]));

const nested = (levels: number): Record<string, unknown> =>
  levels === 0 ? { type: 'string' } : { type: 'object', properties: { x: nested(levels - 1) } };

describe('schema limits', () => {
  it('accept an ordinary contract schema with patterns', () => {
    expect(() =>
      assertCompilableSchema({
        type: 'object',
        properties: {
          lotId: { type: 'string', pattern: '^lot-\\d+$' },
          lines: { type: 'array', items: { type: 'object', properties: props(20) } },
        },
        patternProperties: { '^x-': { type: 'string' } },
      }),
    ).not.toThrow();
  });

  it('refuse a schema over the byte limit (422 SCHEMA_TOO_LARGE), before compiling it', () => {
    const big = { type: 'object', description: 'x'.repeat(DEFAULT_SCHEMA_LIMITS.maxBytes) };
    expect(refusal(() => assertCompilableSchema(big))).toMatchObject({
      code: 'CONTRACT.SCHEMA_TOO_LARGE',
      kind: 'unprocessable',
      path: '/schema',
      message: expect.stringContaining(`limit is ${DEFAULT_SCHEMA_LIMITS.maxBytes}`),
    });
  });

  it('refuse nesting beyond the depth limit, naming where (SCHEMA_TOO_DEEP)', () => {
    expect(() => assertSchemaWithinLimits(nested(14))).not.toThrow(); // 29 levels of JSON
    expect(refusal(() => assertSchemaWithinLimits(nested(16)))).toMatchObject({
      code: 'CONTRACT.SCHEMA_TOO_DEEP',
      path: '/schema' + '/properties/x'.repeat(16),
    });
    // Data keywords count too: a deep `const` would be compared recursively.
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(refusal(() => assertSchemaWithinLimits({ const: deep })).code).toBe('CONTRACT.SCHEMA_TOO_DEEP');
  });

  it('refuse too many properties and too many subschemas (SCHEMA_TOO_COMPLEX)', () => {
    const limits = { ...DEFAULT_SCHEMA_LIMITS, maxProperties: 10, maxSubschemas: 30 };
    expect(() => assertSchemaWithinLimits({ properties: props(10) }, '/schema', limits)).not.toThrow();
    expect(
      refusal(() => assertSchemaWithinLimits({ properties: props(11) }, '/schema', limits)),
    ).toMatchObject({ code: 'CONTRACT.SCHEMA_TOO_COMPLEX', path: '/schema/properties/f10' });
    const branches = { anyOf: Array.from({ length: 40 }, () => ({ type: 'string' })) };
    expect(refusal(() => assertSchemaWithinLimits(branches, '/schema', limits))).toMatchObject({
      code: 'CONTRACT.SCHEMA_TOO_COMPLEX',
      message: expect.stringContaining('subschemas'),
    });
  });

  it('refuse patterns RE2 cannot run with 400 PATTERN_NOT_SUPPORTED at their exact path', () => {
    expect(
      refusal(() =>
        assertCompilableSchema({ properties: { code: { type: 'string', pattern: '^(a)\\1$' } } }),
      ),
    ).toMatchObject({
      code: 'CONTRACT.PATTERN_NOT_SUPPORTED',
      kind: 'bad-request',
      path: '/schema/properties/code/pattern',
      message: expect.stringContaining('backreferences'),
    });
    expect(
      refusal(() => assertCompilableSchema({ patternProperties: { 'a/(?=b)': { type: 'string' } } })),
    ).toMatchObject({
      code: 'CONTRACT.PATTERN_NOT_SUPPORTED',
      path: '/schema/patternProperties/a~1(?=b)',
      message: expect.stringContaining('lookahead'),
    });
  });

  it('does not read data as patterns: const, enum, examples and default hold values', () => {
    expect(() =>
      assertCompilableSchema({
        type: 'object',
        const: { pattern: '(a)\\1' },
        examples: [{ pattern: '(?=x)' }],
      }),
    ).not.toThrow();
  });

  it('refuse long, large or too many patterns (PATTERN_TOO_COMPLEX)', () => {
    const long = 'a'.repeat(DEFAULT_SCHEMA_LIMITS.maxPatternLength + 1);
    expect(refusal(() => assertSchemaWithinLimits({ pattern: long }))).toMatchObject({
      code: 'CONTRACT.PATTERN_TOO_COMPLEX',
      path: '/schema/pattern',
    });
    expect(refusal(() => assertSchemaWithinLimits({ pattern: 'x{1000}y{1000}z{1000}' }))).toMatchObject({
      code: 'CONTRACT.PATTERN_TOO_COMPLEX',
      message: expect.stringContaining('instructions'),
    });
    const many = { properties: props(DEFAULT_SCHEMA_LIMITS.maxPatterns + 1, () => ({ pattern: '^a' })) };
    expect(refusal(() => assertSchemaWithinLimits(many))).toMatchObject({
      code: 'CONTRACT.PATTERN_TOO_COMPLEX',
      message: expect.stringContaining(`more than ${DEFAULT_SCHEMA_LIMITS.maxPatterns} patterns`),
    });
  });

  it('reads overrides from SCHEMA_MAX_* and refuses nonsense', () => {
    expect(schemaLimitsFromEnv({ SCHEMA_MAX_BYTES: '1000' }).maxBytes).toBe(1000);
    expect(schemaLimitsFromEnv({}).maxDepth).toBe(DEFAULT_SCHEMA_LIMITS.maxDepth);
    expect(() => schemaLimitsFromEnv({ SCHEMA_MAX_DEPTH: '0' })).toThrow(/SCHEMA_MAX_DEPTH/);
  });
});

describe('schema limits on an event loop', () => {
  it('can skip compiling patterns (the worker does it, under its budget), keeping the cheap checks', () => {
    const costly = { properties: { a: { pattern: 'a{1000}'.repeat(64) } } }; // ≈ 0.2 s for RE2 to compile
    const started = performance.now();
    expect(() => assertSchemaWithinLimits(costly, '/schema', DEFAULT_SCHEMA_LIMITS, false)).not.toThrow();
    expect(performance.now() - started).toBeLessThan(50);
    expect(refusal(() => assertSchemaWithinLimits(costly)).code).toBe('CONTRACT.PATTERN_TOO_COMPLEX');
    const long = { pattern: 'a'.repeat(DEFAULT_SCHEMA_LIMITS.maxPatternLength + 1) };
    expect(refusal(() => assertSchemaWithinLimits(long, '/schema', DEFAULT_SCHEMA_LIMITS, false)).code).toBe(
      'CONTRACT.PATTERN_TOO_COMPLEX',
    );
  });
});
