/**
 * Every regular expression a member supplies (a contract schema's `pattern`, a `patternProperties` key, an
 * ODCS property's `pattern`) runs on RE2 (re2js, a pure JavaScript port): matching is linear in the input,
 * so no pattern and no string can make a service spend exponential time (ReDoS). The native engine
 * backtracks: `^(a+)+$` against 30 `a`s and a `!` takes seconds there and microseconds here.
 *
 * ECMA-262 syntax is translated first (`\u00e9`, `\u{1F600}`, surrogate pairs, `(?<name>…)`). What RE2
 * cannot run in linear time (backreferences, lookahead and lookbehind) it cannot compile: such a pattern is
 * refused when the contract is registered, naming the pattern's path (see schema-limits.ts), never silently
 * matched differently. Known, documented differences from ECMA-262: `\s` is ASCII whitespace only, and `.`
 * excludes only `\n` (docs/security/redos.md).
 */
import { RE2JS } from 're2js';

/** What Ajv and the compatibility checker need from a compiled pattern. */
export interface LinearPattern {
  test(input: string): boolean;
  /** The pattern's source (Ajv caches compiled patterns by it). */
  toString(): string;
}

/** Why RE2 refused a pattern, in words a contract author can act on. */
export class PatternNotSupported extends Error {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'PatternNotSupported';
  }
}

const SURROGATE_PAIR = /\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})/gi;

/** ECMA-262 source → RE2 syntax: a `\uD83D\uDE00` pair becomes one code point, then re2js' own translation. */
export function toRe2Syntax(pattern: string): string {
  const pairs = pattern.replace(SURROGATE_PAIR, (_m, hi: string, lo: string) => {
    const cp = (parseInt(hi, 16) - 0xd800) * 0x400 + (parseInt(lo, 16) - 0xdc00) + 0x10000;
    return `\\u{${cp.toString(16)}}`;
  });
  return RE2JS.translateRegExp(pairs);
}

/** Does the pattern use a backreference (`\1`…`\9`, `\k<name>`)? Escaped backslashes are skipped. */
function hasBackreference(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '\\') continue;
    const next = pattern[i + 1] ?? '';
    if ((next >= '1' && next <= '9') || next === 'k') return true;
    i++; // skip the escaped character
  }
  return false;
}

function notSupported(pattern: string, message: string): PatternNotSupported {
  if (hasBackreference(pattern)) {
    return new PatternNotSupported(
      pattern,
      'backreferences cannot be matched in linear time and are not supported',
    );
  }
  if (/\(\?<?[=!]/.test(pattern)) {
    return new PatternNotSupported(
      pattern,
      'lookahead and lookbehind assertions cannot be matched in linear time and are not supported',
    );
  }
  return new PatternNotSupported(
    pattern,
    `not a regular expression the linear-time engine (RE2) accepts: ${message.replace(/^error parsing regexp: /, '')}`,
  );
}

/**
 * Compiles with RE2; throws {@link PatternNotSupported} saying why when it cannot. The pattern must first
 * be valid ECMA-262 (unicode mode), as JSON Schema requires: that refuses RE2-only syntax (`\A`, `\z`,
 * `\Q…\E`) and identity escapes such as `\k` or `\e`, which the translation would otherwise read as
 * literal letters. Backreferences are refused before translating for the same reason (`\8` would become
 * the digit 8). Constructing the native RegExp only parses it; nothing is ever matched with it.
 */
export function compileLinear(pattern: string): LinearPattern & { programSize: number } {
  if (hasBackreference(pattern)) throw notSupported(pattern, '');
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    throw new PatternNotSupported(pattern, `not an ECMA-262 regular expression: ${(error as Error).message}`);
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(toRe2Syntax(pattern));
  } catch (error) {
    throw notSupported(pattern, (error as Error).message);
  }
  return {
    test: (input: string) => compiled.test(input),
    programSize: compiled.programSize(),
    // Ajv caches compiled patterns by `toString()`: it must be the source, or all patterns would share one.
    toString: () => pattern,
  };
}

/**
 * Ajv's `code.regExp` engine. Ajv passes `u` as the flags (unicodeRegExp); RE2 always matches code points,
 * so the flag needs no translation. Patterns are checked before Ajv sees them (schema-limits.ts); one that
 * slips through still never reaches the backtracking engine: Ajv reports the thrown error as a schema error.
 */
export const linearRegExp = Object.assign((pattern: string, _flags: string) => compileLinear(pattern), {
  code: 'linearRegExp',
});

/**
 * A bounded cache for the compatibility checker, which evaluates member-supplied patterns many times
 * while comparing two schemas: keyed by pattern source, cleared when full so it cannot grow without limit.
 */
export class LinearPatternCache {
  private readonly entries = new Map<string, LinearPattern | null>();
  constructor(private readonly capacity = 1000) {}

  /** The compiled pattern, or undefined when RE2 cannot compile it. */
  get(pattern: string): LinearPattern | undefined {
    let compiled = this.entries.get(pattern);
    if (compiled === undefined) {
      try {
        compiled = compileLinear(pattern);
      } catch {
        compiled = null;
      }
      if (this.entries.size >= this.capacity) this.entries.clear();
      this.entries.set(pattern, compiled);
    }
    return compiled ?? undefined;
  }
}
