import { readdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  errorCodeInfo,
  isErrorCode,
  policyDenyCode,
  STATUS_OF_KIND,
  type ErrorCode,
  type ErrorCodeInfo,
} from './error-codes.js';
import {
  badRequest,
  conflict,
  DomainError,
  forbidden,
  notFound,
  unauthenticated,
  unavailable,
} from './errors.js';
import { renderErrorsDoc } from './errors-doc.js';

const root = new URL('../../../', import.meta.url);
const entries = Object.entries(ERROR_CODES) as [ErrorCode, ErrorCodeInfo][];

/** Every reason the Rego policy can deny with: `reasons contains "X"` rules and the default decision's. */
function regoReasons(): Set<string> {
  const dir = new URL('policies/renkei/', root);
  const reasons = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.rego') && !f.endsWith('_test.rego'))) {
    const rego = readFileSync(new URL(file, dir), 'utf8');
    for (const m of rego.matchAll(/reasons contains "([^"]+)"/g)) reasons.add(m[1]!);
    for (const m of rego.matchAll(/"reasons":\s*\["([^"]+)"\]/g)) reasons.add(m[1]!);
  }
  return reasons;
}

/** The TypeScript sources under a folder of the repository (specs only when asked). */
function sources(folder: string, specs = false): string[] {
  const dir = fileURLToPath(new URL(folder, root));
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && (specs || !f.endsWith('.spec.ts')) && !f.includes('generated'))
    .map((f) => `${dir}/${f}`);
}

/** Dotted literals in the sources that are not error codes: notice kinds on streams and notifications. */
const NOT_ERRORS = new Set([
  'CONTRACT.NEW_VERSION',
  'CONTRACT.DEPRECATED',
  'CONTRACT.RETIRED',
  'AUDIT.CHECKPOINT',
]);
describe('the error-code catalogue', () => {
  it('holds every code-like literal in apps/ and libs/ (stream end codes and OpenAPI lists included)', () => {
    const loose = new Map<string, string>();
    let seen = 0;
    for (const file of [...sources('apps/'), ...sources('libs/')]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/['"`]([A-Z][A-Z_]*\.[A-Z][A-Z0-9_]*)['"`]/g)) {
        const code = m[1]!;
        seen++;
        if (isErrorCode(code) || NOT_ERRORS.has(code)) continue;
        loose.set(code, relative(fileURLToPath(root), file));
      }
    }
    expect(seen).toBeGreaterThanOrEqual(300);
    expect(Object.fromEntries(loose), 'codes missing from libs/domain/src/error-codes.ts').toEqual({});
  });

  it('names each code in the dotted grammar and says what it means and what to do', () => {
    expect(entries.length).toBeGreaterThanOrEqual(140);
    for (const [code, info] of entries) {
      expect(code).toMatch(/^[A-Z][A-Z_]*(\.[A-Z][A-Z0-9_]*)?$/);
      expect(info.meaning, code).toMatch(/\S.*\.$/);
      expect(info.action, code).toMatch(/\S.*\.$/);
    }
  });

  it('holds every reason the Rego policy can deny with, as a 403, and no policy reason the policy lost', () => {
    const reasons = regoReasons();
    // A floor, so a changed rule syntax cannot make this pass on an empty set.
    expect(reasons.size).toBeGreaterThanOrEqual(20);
    const missing = [...reasons].filter((r) => !isErrorCode(r));
    expect(missing, 'policy reasons missing from libs/domain/src/error-codes.ts').toEqual([]);
    const marked = entries.filter(([, info]) => info.policy).map(([code]) => code);
    expect(marked.sort()).toEqual([...reasons].sort());
    for (const reason of reasons) {
      const info = errorCodeInfo(reason)!;
      // CONTRACT.NOT_VISIBLE is the one reason answered under another code (404 CONTRACT.NOT_FOUND).
      expect(info.status, reason).toBe(reason === 'CONTRACT.NOT_VISIBLE' ? null : 403);
    }
  });

  it('holds every reason the Rego policy can give to an explanation test (explain_test.rego)', () => {
    // The Rego test proves each code in its list explained over real denials; this keeps the list whole.
    const test = readFileSync(new URL('policies/renkei/explain_test.rego', root), 'utf8');
    const list = /all_reason_codes := \{([^}]*)\}/.exec(test)?.[1] ?? '';
    const listed = [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
    expect(listed.sort()).toEqual([...regoReasons()].sort());
  });

  it('answers a deny with its first reason when catalogued as a 403, else with POLICY.DENIED', () => {
    for (const reason of regoReasons()) {
      if (reason !== 'CONTRACT.NOT_VISIBLE') expect(policyDenyCode(reason)).toBe(reason);
    }
    expect(policyDenyCode('POLICY.NO_DECISION')).toBe('POLICY.NO_DECISION');
    expect(policyDenyCode(undefined)).toBe('POLICY.DENIED');
    expect(policyDenyCode('SOMETHING.NEW')).toBe('POLICY.DENIED');
    // A catalogued code of another status never becomes a 403's code.
    expect(policyDenyCode('GRANT.NOT_FOUND')).toBe('POLICY.DENIED');
  });

  it('gives each helper only codes whose catalogued status is the status of its kind', () => {
    // The helpers' parameter types admit exactly these codes; the run-time kinds must agree with them.
    const helpers = [
      [badRequest('REQUEST.INVALID', 'x'), 'REQUEST.INVALID'],
      [unauthenticated('TOKEN.MISSING', 'x'), 'TOKEN.MISSING'],
      [forbidden('GRANT.NOT_ACTIVE', 'x'), 'GRANT.NOT_ACTIVE'],
      [notFound('GRANT.NOT_FOUND', 'x'), 'GRANT.NOT_FOUND'],
      [conflict('GRANT.ILLEGAL_TRANSITION', 'x'), 'GRANT.ILLEGAL_TRANSITION'],
      [unavailable('KAFKA.UNAVAILABLE', 'x'), 'KAFKA.UNAVAILABLE'],
    ] as const;
    for (const [error, code] of helpers) {
      expect(STATUS_OF_KIND[error.kind]).toBe(ERROR_CODES[code].status);
    }
    // Every code with a DomainError kind has exactly one: the kind of its status.
    const kindsOf = (status: number | null) =>
      Object.entries(STATUS_OF_KIND)
        .filter(([, s]) => s === status)
        .map(([k]) => k);
    for (const [code, info] of entries) {
      expect(kindsOf(info.status).length, code).toBeLessThanOrEqual(1);
    }
  });

  it('refuses at compile time a code outside the catalogue or of another status', () => {
    // Each line below must fail `npm run typecheck`; if one compiles, the unused directive fails it.
    // @ts-expect-error not a catalogued code
    badRequest('REQUEST.NOT_A_CODE', 'x');
    // @ts-expect-error GRANT.NOT_FOUND is a 404, not a 403
    forbidden('GRANT.NOT_FOUND', 'x');
    // @ts-expect-error AUDIT.MODIFIED is a verification finding, never an HTTP answer
    conflict('AUDIT.MODIFIED', 'x');
    expect(new DomainError('GRANT.NOT_FOUND', 'not-found', 'x').code).toBe('GRANT.NOT_FOUND');
  });

  it('raises each code written out in new DomainError(code, kind) with the kind of its status', () => {
    const wrong: string[] = [];
    let seen = 0;
    const files = [...sources('apps/', true), ...sources('libs/', true)];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/new DomainError\(\s*'([^']+)',\s*'([a-z-]+)'/g)) {
        const [, code, kind] = m as unknown as [string, string, keyof typeof STATUS_OF_KIND];
        seen++;
        const status = errorCodeInfo(code)?.status;
        if (status !== STATUS_OF_KIND[kind])
          wrong.push(`${relative(fileURLToPath(root), file)}: ${code} as ${kind}`);
      }
    }
    expect(seen).toBeGreaterThanOrEqual(10);
    expect(wrong).toEqual([]);
  });

  it('is what the committed docs/errors.md says (run npm run errors:doc after a change)', () => {
    const committed = readFileSync(new URL('docs/errors.md', root), 'utf8');
    expect(committed).toBe(renderErrorsDoc());
    for (const [code] of entries) expect(committed).toContain(`\`${code}\``);
  });
});
