/**
 * The console speaks Japanese and English: every key of every namespace exists in both languages, with the
 * same {{placeholders}}, and every rule the policy can decide by has a Japanese explanation (English shows
 * the policy's own sentence).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const locales = new URL('apps/console/web/src/i18n/locales/', root);
const read = (lng: string, ns: string) =>
  JSON.parse(readFileSync(new URL(`${lng}/${ns}.json`, locales), 'utf8')) as Record<string, unknown>;

/** Every leaf key (a.b.c) with its string. */
function leaves(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value === 'string') out.set(prefix, value);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value))
      for (const [kk, vv] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(kk, vv);
  return out;
}
/** A key without its plural suffix: English has _one and _other, Japanese only _other (CLDR plural rules). */
const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();

describe('console translations', () => {
  const namespaces = readdirSync(new URL('en/', locales)).map((f) => f.replace(/\.json$/, ''));

  it('has the same namespaces in Japanese and English', () => {
    expect(
      readdirSync(new URL('ja/', locales))
        .map((f) => f.replace(/\.json$/, ''))
        .sort(),
    ).toEqual([...namespaces].sort());
  });

  for (const ns of namespaces.filter((n) => n !== 'explain')) {
    it(`has every ${ns} key in both languages, with the same placeholders`, () => {
      const en = leaves(read('en', ns));
      const ja = leaves(read('ja', ns));
      const keys = (m: Map<string, string>) => [...new Set([...m.keys()].map(base))].sort();
      expect(keys(ja), `${ns}: keys in one language only`).toEqual(keys(en));
      const jaByBase = new Map([...ja].map(([k, v]) => [base(k), v]));
      for (const [key, text] of en) {
        expect(text.trim(), `${ns}.${key} (en) is empty`).not.toBe('');
        // {{count}} may be left out of a singular ("one entry"); every other placeholder must survive.
        const wanted = placeholders(text).filter((p) => !(p === 'count' && key.endsWith('_one')));
        const got = placeholders(jaByBase.get(base(key)) ?? '');
        for (const p of wanted) expect(got, `${ns}.${key}: {{${p}}} lost in Japanese`).toContain(p);
      }
    });
  }

  it('explains every rule the policy can decide by in Japanese', () => {
    const test = readFileSync(new URL('policies/renkei/explain_test.rego', root), 'utf8');
    const reasons = [...(/all_reason_codes := \{([^}]*)\}/.exec(test)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map(
      (m) => m[1]!,
    );
    expect(reasons.length).toBeGreaterThanOrEqual(20);
    const decision = readFileSync(new URL('policies/renkei/decision.rego', root), 'utf8');
    const actions = [
      ...(/known_actions := \{([^}]*)\}/.exec(decision)?.[1] ?? '').matchAll(/"([^"]+)"/g),
    ].map((m) => `ALLOW.${m[1]!.toUpperCase().replace(/[.-]/g, '_')}`);
    const ja = read('ja', 'explain');
    const missing = [...reasons, 'POLICY.UNDEFINED', ...actions].filter(
      (code) => typeof ja[code] !== 'string',
    );
    expect(missing).toEqual([]);
  });
});
