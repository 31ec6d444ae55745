import { describe, expect, it } from 'vitest';
import { compileContractSchema, validatePayload } from './json-schema.js';
import { compileLinear, LinearPatternCache, PatternNotSupported } from './linear-regex.js';

/** `^(a+)+$` against n `a`s and a `!`: the native engine doubles its time with every `a` (≈10 s at 28). */
const evil = 'a'.repeat(28) + '!';

describe('linear-time patterns (RE2)', () => {
  it('matches the ECMA-262 patterns contracts use, with the same answers as RegExp', () => {
    const cases: [string, string, boolean][] = [
      ['^[A-Z]{2}-\\d{4}$', 'JP-1234', true],
      ['^[A-Z]{2}-\\d{4}$', 'jp-1234', false],
      ['^\\u00e9t\\u00e9$', 'été', true],
      ['^\\u{1F600}$', '😀', true],
      ['^\\uD83D\\uDE00$', '😀', true],
      ['^(?<lot>lot)-\\d+$', 'lot-7', true],
      ['^\\p{L}+$', 'バッテリー', true],
      ['\\/', 'a/b', true],
      ['cfp', 'battery-cfp-data', true], // unanchored, like RegExp.prototype.test
    ];
    for (const [pattern, input, expected] of cases) {
      expect(new RegExp(pattern, 'u').test(input), `${pattern} natively`).toBe(expected);
      expect(compileLinear(pattern).test(input), pattern).toBe(expected);
    }
  });

  it('answers a catastrophic-backtracking input at once', () => {
    const started = performance.now();
    expect(compileLinear('^(a+)+$').test(evil)).toBe(false);
    expect(compileLinear('^(a|aa)+$').test(evil)).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('refuses backreferences and lookaround, saying why', () => {
    expect(() => compileLinear('^(a)\\1$')).toThrow(PatternNotSupported);
    expect(() => compileLinear('^(a)\\1$')).toThrow(/backreferences/);
    expect(() => compileLinear('^a(?=b)')).toThrow(/lookahead and lookbehind/);
    expect(() => compileLinear('(?<!x)y')).toThrow(/lookahead and lookbehind/);
    expect(() => compileLinear('(?<n>a)\\k<n>')).toThrow(/backreferences/);
    expect(() => compileLinear('(a)(b)(c)(d)(e)(f)(g)(h)\\8')).toThrow(/backreferences/);
    expect(compileLinear('\\\\1').test('\\1')).toBe(true); // an escaped backslash, then the digit
  });

  it('refuses what is not ECMA-262 instead of reading it differently (RE2-only syntax, identity escapes)', () => {
    for (const pattern of ['\\Afoo\\z', '\\Qa.b\\E', '\\e', '(?P<n>a)']) {
      expect(() => compileLinear(pattern), pattern).toThrow(/not an ECMA-262 regular expression/);
    }
  });

  it('keeps its cache bounded', () => {
    const cache = new LinearPatternCache(3);
    for (let i = 0; i < 10; i++) expect(cache.get(`^x{${i + 1}}$`)?.test('x'.repeat(i + 1))).toBe(true);
    expect((cache as unknown as { entries: Map<string, unknown> }).entries.size).toBeLessThanOrEqual(3);
    expect(cache.get('(a)\\1')).toBeUndefined();
  });
});

describe('compiled contract validators', () => {
  it('validate patterns on RE2: an evil string is refused at once instead of stalling the thread', () => {
    const validate = compileContractSchema({
      type: 'object',
      properties: { code: { type: 'string', pattern: '^(a+)+$' } },
      patternProperties: { '^(x+)+$': { type: 'number' } },
    });
    expect(validatePayload(validate, { code: 'aaaa' }, '')).toEqual([]);
    const started = performance.now();
    expect(validatePayload(validate, { code: evil }, '/payload')).toEqual([
      { path: '/payload/code', message: 'must match pattern "^(a+)+$"' },
    ]);
    expect(validatePayload(validate, { ['x'.repeat(28) + '!']: 'not checked by the pattern' }, '')).toEqual(
      [],
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
