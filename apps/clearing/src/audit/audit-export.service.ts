import { Inject, Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { PrismaClient } from '@renkei/persistence';
import {
  grantPurposes,
  item,
  purposeOf,
  eventCount,
  explanationOf,
  type AuditRow,
  type DecisionPayload,
} from './audit-entries.js';
import { AuditQueryService } from './audit-query.service.js';
import type { AuditQuery } from './audit.dto.js';

/** Entries read per page while the client consumes the export. */
const EXPORT_PAGE = 1000;

/** A text a spreadsheet would run as a formula (OWASP CSV injection): = + - @ tab or CR first. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * RFC 4180: fields with a comma, quote, CR or LF are quoted, quotes doubled; lines end with CRLF.
 * Text that a spreadsheet would evaluate as a formula is prefixed with a single quote (OWASP), so an
 * export opened in Excel or LibreOffice shows it as text; numbers and booleans are written as they are.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_COLUMNS = [
  'seq',
  'id',
  'kind',
  'at',
  'actor',
  'dataset',
  'grant',
  'allow',
  'action',
  'purpose',
  'reasons',
  'rule',
  'explanation',
  'policy_revision',
  'event_count',
  'hash',
  'prev_hash',
  'record',
] as const;

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function csvLine(r: AuditRow, grantPurpose: string | undefined): string {
  const p = (r.payload ?? {}) as DecisionPayload;
  return (
    [
      r.seq.toString(),
      r.id,
      r.kind,
      r.at.toISOString(),
      r.actorId,
      r.dataset,
      r.grantId,
      r.allow,
      text(p.action) ?? (r.kind === 'decision' ? null : r.kind),
      purposeOf(p, grantPurpose),
      Array.isArray(p.reasons) ? p.reasons.join(' ') : null,
      r.rule,
      explanationOf(r),
      text(p.policyRevision),
      eventCount(p),
      r.hash,
      r.prevHash,
      JSON.stringify(r.payload),
    ]
      .map(csvField)
      .join(',') + '\r\n'
  );
}

/** The compliance export: every entry a query matches, streamed as CSV, a JSON array or NDJSON. */
@Injectable()
export class AuditExportService {
  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(AuditQueryService) private readonly queries: AuditQueryService,
  ) {}

  /** The export as a stream: CSV (RFC 4180, header row), a JSON array, or NDJSON. */
  export(q: AuditQuery, format: 'csv' | 'json' | 'ndjson'): Readable {
    return Readable.from(this.chunks(q, format));
  }

  private async *chunks(q: AuditQuery, format: 'csv' | 'json' | 'ndjson'): AsyncGenerator<string> {
    let first = true;
    if (format === 'csv') yield CSV_COLUMNS.join(',') + '\r\n';
    if (format === 'json') yield '[';
    for await (const page of this.rows(q)) {
      if (format === 'csv') {
        const purposes = await grantPurposes(this.prisma, page);
        yield page.map((r) => csvLine(r, r.grantId ? purposes.get(r.grantId) : undefined)).join('');
      } else if (format === 'ndjson') {
        yield page.map((r) => JSON.stringify(item(r)) + '\n').join('');
      } else {
        yield page
          .map((r) => {
            const json = JSON.stringify(item(r));
            if (first) {
              first = false;
              return json;
            }
            return `,${json}`;
          })
          .join('');
      }
    }
    if (format === 'json') yield ']\n';
  }

  /** Every matching entry, read in pages as the client consumes the stream. */
  private async *rows(q: AuditQuery): AsyncGenerator<AuditRow[]> {
    const where = await this.queries.where({ ...q, after: undefined });
    let after = q.after !== undefined ? BigInt(q.after) : undefined;
    let left = q.limit ?? Infinity;
    while (left > 0) {
      const take = Math.min(EXPORT_PAGE, left);
      const page = await this.prisma.auditEntry.findMany({
        where: after !== undefined ? { AND: [where, { seq: { gt: after } }] } : where,
        orderBy: { seq: 'asc' },
        take,
      });
      if (page.length > 0) yield page;
      if (page.length < take) return;
      left -= page.length;
      after = page[page.length - 1]!.seq;
    }
  }
}
