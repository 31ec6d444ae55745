/**
 * Renders docs/errors.md from the error-code catalogue. `npm run errors:doc` writes it; a unit spec fails
 * when the committed file differs, so the page can never drift from the codes the services answer with.
 * The table is emitted aligned, as prettier would format it, so `prettier --check` leaves it alone.
 */
import { ERROR_CODES, type ErrorCode, type ErrorCodeInfo } from './error-codes.js';

const cell = (text: string) => text.replace(/\|/g, '\\|');

function status(info: ErrorCodeInfo): string {
  if (info.status === null) return info.policy ? '— (policy)' : '—';
  return info.policy ? `${info.status} (policy)` : String(info.status);
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export function renderErrorsDoc(): string {
  const codes = (Object.keys(ERROR_CODES) as ErrorCode[]).sort();
  const rows = codes.map((code) => {
    const info: ErrorCodeInfo = ERROR_CODES[code];
    return [`\`${code}\``, status(info), cell(info.meaning), cell(info.action)];
  });
  const policy = codes.filter((code) => (ERROR_CODES[code] as ErrorCodeInfo).policy).length;
  return [
    '<!-- Generated from libs/domain/src/error-codes.ts by `npm run errors:doc`; do not edit by hand. -->',
    '',
    '# Error codes',
    '',
    'Every refusal of a Renkei service is an RFC 9457 `application/problem+json` answer with a stable',
    '`code`, e.g. `{"type": "urn:renkei:error:GRANT.NOT_FOUND", "status": 404, "code": "GRANT.NOT_FOUND",',
    '"detail": "…", "hint": "…"}`. `errors` names each failing part of the input as a JSON Pointer when',
    'there are several; `hint` says what to do in this case, and the catalogue below says it in general.',
    '',
    `The catalogue (libs/domain/src/error-codes.ts) holds ${codes.length} codes. A status of \`—\` marks a`,
    'code that is never an HTTP answer: it ends a subscription stream, is an audit verification finding, or',
    `is a policy reason answered under another code. \`(policy)\` marks the ${policy} reasons the Rego policy`,
    '(policies/renkei) can deny with: the first reason of a deny is the code of the 403, and every reason',
    'is on the decision record in the audit.',
    '',
    'An error the web framework raises with a status and no code of ours is answered as `HTTP.<status>`',
    '(e.g. `HTTP.405`). The SDK exposes the code as `RenkeiError.code`, and the CLI prints the “what to',
    'do” below when an answer carries no hint.',
    '',
    ...table(['Code', 'Status', 'Meaning', 'What to do'], rows),
    '',
  ].join('\n');
}
