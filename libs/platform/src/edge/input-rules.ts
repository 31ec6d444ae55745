import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, type ErrorDetail } from '@renkei/domain';

/**
 * One input rule for every service: no control characters and no unpaired UTF-16 surrogates anywhere in a
 * request. PostgreSQL refuses U+0000 in text and jsonb, and unpaired surrogates in jsonb, so without this
 * rule such input became a 500 wherever it reached the database; elsewhere it ends up in logs, CSV exports
 * and Kafka events where it does harm of its own (log forging, truncated C strings).
 *
 * - path segments, query names and values: every C0 (U+0000–U+001F), DEL and C1 (U+0080–U+009F) control
 *   character is refused — an id or a search term has no use for any of them;
 * - body strings and property names (JSON, and text bodies such as ODCS YAML): the same, except tab, line
 *   feed and carriage return, which multi-line descriptions and documents legitimately carry;
 * - header values: C0 except tab, and DEL. Node's parser already refuses most of these; bytes 0x80–0x9F
 *   are left alone, as header values are read as Latin-1 and such bytes are parts of UTF-8 text, not C1
 *   controls (RFC 9110 §5.5 lets a recipient keep obs-text as opaque data).
 *
 * The refusal is a 400 REQUEST.CONTROL_CHARACTER naming each failing place as a JSON Pointer into the
 * request: `/path/1`, `/query/q`, `/headers/x-name`, `/body/events/0/payload/name` (ADR 0015).
 */
export const CONTROL_CHARACTER = 'REQUEST.CONTROL_CHARACTER';

/* eslint-disable no-control-regex -- finding control characters is the point */
const rules = {
  strict: /[\u0000-\u001F\u007F-\u009F]/,
  text: /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/,
  header: /[\u0000-\u0008\u000A-\u001F\u007F]/,
};
/* eslint-enable no-control-regex */
const unpairedSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** At most this many findings are reported; one is enough to refuse. */
const MAX_FINDINGS = 20;

export type CharacterRule = keyof typeof rules;

/**
 * Why `value` breaks the rule, or null when it does not. The common case (nothing wrong) costs one plain
 * character-class scan and one native well-formedness check: bodies of megabytes are scanned in
 * milliseconds. Header values are Latin-1 strings, where surrogates cannot occur.
 */
export function controlCharacterIn(value: string, rule: CharacterRule): string | null {
  const at = value.search(rules[rule]);
  if (at >= 0) {
    return `contains the control character U+${hex(value.charCodeAt(at))} at index ${at}`;
  }
  if (rule === 'header' || value.isWellFormed()) return null;
  const lone = value.search(unpairedSurrogate);
  return `contains an unpaired UTF-16 surrogate (U+${hex(value.charCodeAt(lone))}) at index ${lone}`;
}

const hex = (code: number) => code.toString(16).toUpperCase().padStart(4, '0');

const escapeToken = (token: string) => token.replaceAll('~', '~0').replaceAll('/', '~1');

const badText = (s: string) => controlCharacterIn(s, 'text') !== null;

/** Whether any string or property name breaks the `text` rule: no paths built, no allocation but the stack. */
function anyBadText(body: unknown): boolean {
  const stack: unknown[] = [body];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (badText(value)) return true;
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push(value[i]);
    } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
      for (const key of Object.keys(value)) {
        if (badText(key)) return true;
        stack.push((value as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

/**
 * Every string and property name of a parsed JSON value that breaks the `text` rule, with its path. A
 * first pass only answers whether there is any (a clean body, the common case, costs less than parsing
 * it did); the paths are built only for a body that is refused. Both walk with their own stack: a deeply
 * nested body must not overflow the call stack.
 */
export function scanBody(body: unknown, base = '/body'): ErrorDetail[] {
  if (!anyBadText(body)) return [];
  const findings: ErrorDetail[] = [];
  const stack: [unknown, string][] = [[body, base]];
  while (stack.length > 0 && findings.length < MAX_FINDINGS) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      const problem = controlCharacterIn(value, 'text');
      if (problem) findings.push({ path, message: problem });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}/${i}`]);
    } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, unknown];
        const childPath = `${path}/${escapeToken(key)}`;
        const problem = controlCharacterIn(key, 'text');
        if (problem) findings.push({ path: childPath, message: `the property name ${problem}` });
        else stack.push([child, childPath]);
      }
    }
  }
  return findings.slice(0, MAX_FINDINGS);
}

/** Path segments (decoded), query names and values, and header values of a request, checked. */
export function scanUrlAndHeaders(url: string, headers: Record<string, unknown>): ErrorDetail[] {
  const findings: ErrorDetail[] = [];
  const queryAt = url.indexOf('?');
  const segments = (queryAt < 0 ? url : url.slice(0, queryAt)).split('/').slice(1);
  segments.forEach((segment, i) => {
    const decoded = decodeOrNull(segment);
    if (decoded === null)
      findings.push({ path: `/path/${i}`, message: 'is not valid percent-encoded UTF-8' });
    else {
      const problem = controlCharacterIn(decoded, 'strict');
      if (problem) findings.push({ path: `/path/${i}`, message: problem });
    }
  });
  if (queryAt >= 0) {
    const seen = new Map<string, number>();
    for (const pair of url.slice(queryAt + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const name = decodeOrNull((eq < 0 ? pair : pair.slice(0, eq)).replaceAll('+', ' '));
      const value = eq < 0 ? '' : decodeOrNull(pair.slice(eq + 1).replaceAll('+', ' '));
      const key = name ?? pair.slice(0, eq < 0 ? undefined : eq);
      // A repeated name is an array: its n-th value is /query/name/n.
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      const path = `/query/${escapeToken(key)}${n > 0 ? `/${n}` : ''}`;
      const problem =
        name === null || value === null
          ? 'is not valid percent-encoded UTF-8'
          : (controlCharacterIn(name, 'strict') ?? controlCharacterIn(value, 'strict'));
      if (problem) findings.push({ path, message: problem });
    }
  }
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v !== 'string') continue;
      const problem = controlCharacterIn(v, 'header');
      if (problem) findings.push({ path: `/headers/${escapeToken(name)}`, message: problem });
    }
  }
  return findings.slice(0, MAX_FINDINGS);
}

function decodeOrNull(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function refuse(details: ErrorDetail[]): Error {
  return badRequest(
    CONTROL_CHARACTER,
    'The request contains control characters or unpaired surrogates',
    details,
    'Remove the characters at the listed places: control characters (U+0000–U+001F, U+007F–U+009F; tab, line feed and carriage return are allowed inside body strings) and unpaired UTF-16 surrogates are refused everywhere',
  );
}

/** Installs the rule: URL and headers before routing work starts, the body once it is parsed. */
export function installInputRules(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const findings = scanUrlAndHeaders(request.url, request.headers);
    done(findings.length > 0 ? refuse(findings) : undefined);
  });
  fastify.addHook('preValidation', (request: FastifyRequest, _reply, done) => {
    const body = request.body;
    if (body === undefined || body === null) return done();
    const findings = scanBody(body);
    done(findings.length > 0 ? refuse(findings) : undefined);
  });
}
