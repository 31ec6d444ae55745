import { describe, expect, it } from 'vitest';
import { checkCompatibility } from '../compatibility.js';

/** `^(a+)+$` against 28 `a`s and a `!`: seconds on a backtracking engine, microseconds on RE2. */
const evil = 'a'.repeat(28) + '!';
const field = (schema: Record<string, unknown>) => ({
  type: 'object',
  properties: { code: { type: 'string', ...schema } },
});

describe('compatibility checker: member patterns', () => {
  it('evaluates a pattern against the values an earlier version allowed in linear time', () => {
    const started = performance.now();
    const breaks = checkCompatibility(
      'BACKWARD',
      [{ version: '1.0.0', schema: field({ enum: ['aaa', evil] }) }],
      { version: '1.1.0', schema: field({ pattern: '^(a+)+$' }) },
    );
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(breaks.map((b) => b.schemaPath)).toContain('/properties/code/pattern');
  });

  it('matches property names against patternProperties keys in linear time', () => {
    const started = performance.now();
    checkCompatibility(
      'FULL',
      [
        {
          version: '1.0.0',
          schema: { type: 'object', properties: { [evil]: { type: 'string' } } },
        },
      ],
      {
        version: '1.1.0',
        schema: { type: 'object', patternProperties: { '^(a+)+$': { type: 'number' } } },
      },
    );
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
