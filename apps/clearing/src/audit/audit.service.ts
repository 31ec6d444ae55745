import { Inject, Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { badRequest, notFound } from '#libs/domain';
import { concealing } from '#libs/domain';
import type { Principal } from '#libs/auth';
import { Prisma, type PrismaClient } from '#libs/persistence';
import type { PlatformProjection, ProjectionSync } from '../clearing.context.js';
import { PRISMA, STATE, SYNC } from '../clearing.tokens.js';
import { combineHeads, headsOf, verifyAudit, type VerifyResult } from './audit-log.js';
import {
  AUDIT_PAGE_MAX,
  PersonTagSchema,
  type AuditQuery,
  type ReceiptsQuery,
  type UsageQuery,
} from './audit.dto.js';
import { AuditCheckpointer, type CheckpointView } from './checkpoints.js';

/** Where the checkpointer is provided (main.ts builds it; it runs a timer). */
export const CHECKPOINTS = Symbol('CHECKPOINTS');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Entries that show a dataset being used: tokens issued and the decisions on requests, streams, deliveries. */
const USAGE_KINDS = ['token.issued', 'decision'];

type Row = Prisma.AuditEntryGetPayload<object>;

export interface AuditItem {
  seq: number;
  id: string;
  kind: string;
  at: string;
  actor: string;
  dataset: string | null;
  grant: string | null;
  allow: boolean | null;
  record: unknown;
  hash: string;
  prevHash: string;
}

export interface VerifyReport extends VerifyResult {
  latestCheckpoint: { seq: number; hash: string; kid: string; createdAt: string } | null;
  supplied: { seq: number; hash: string; kid: string; iat: number } | null;
}

interface DecisionPayload {
  action?: string;
  reasons?: string[];
  policyRevision?: string;
  eventIds?: unknown;
  input?: { purpose?: string | null; grant?: { purpose?: string } | null };
  grant?: { purpose?: string };
}

const item = (r: Row): AuditItem => ({
  seq: Number(r.seq),
  id: r.id,
  kind: r.kind,
  at: r.at.toISOString(),
  actor: r.actorId,
  dataset: r.dataset,
  grant: r.grantId,
  allow: r.allow,
  record: r.payload,
  hash: r.hash,
  prevHash: r.prevHash,
});

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
  'policy_revision',
  'event_count',
  'hash',
  'prev_hash',
  'record',
] as const;

function eventCount(p: DecisionPayload): number | null {
  return Array.isArray(p.eventIds) ? p.eventIds.length : null;
}

function purposeOf(p: DecisionPayload, grantPurpose: string | undefined): string | null {
  return grantPurpose ?? p.input?.grant?.purpose ?? p.input?.purpose ?? p.grant?.purpose ?? null;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function csvLine(r: Row, grantPurpose: string | undefined): string {
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

@Injectable()
export class AuditService {
  private verifying: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(STATE) private readonly state: PlatformProjection,
    @Inject(SYNC) private readonly sync: ProjectionSync,
    @Inject(CHECKPOINTS) private readonly checkpoints: AuditCheckpointer,
  ) {}

  // ---------------------------------------------------------------- person tags

  /**
   * Whom a person tag on the chain stands for: only the originator whose person it is, and only while the
   * person has not been erased. Anyone else, an unknown tag and an erased person get the same 404.
   */
  async personOf(actor: Principal, tag: string): Promise<{ tag: string; subjectRef: string; since: string }> {
    const row = PersonTagSchema.safeParse(tag).success
      ? await this.prisma.auditPersonKey.findUnique({ where: { tag } })
      : null;
    if (!row || row.originatorId !== actor.participantId) {
      throw notFound(
        'AUDIT.PERSON_NOT_FOUND',
        'No person of yours has this tag',
        'Tags map back only for the originator that recorded the person, and never after the person was erased',
      );
    }
    return { tag: row.tag, subjectRef: row.subjectRef, since: row.createdAt.toISOString() };
  }

  // ---------------------------------------------------------------- compliance queries and export

  private async where(q: AuditQuery): Promise<Prisma.AuditEntryWhereInput> {
    const allow = q.decision ? q.decision === 'allow' : q.allow ? q.allow === 'true' : undefined;
    const and: Prisma.AuditEntryWhereInput[] = [];
    if (q.participant) {
      const p = q.participant;
      const grants = UUID.test(p)
        ? (
            await this.prisma.grant.findMany({
              where: { OR: [{ consumerId: p }, { originatorId: p }] },
              select: { id: true },
            })
          ).map((g) => g.id)
        : [];
      const owned = this.ownedDatasets(p);
      and.push({
        OR: [
          { actorId: p },
          // Refused tokens and assertions that claimed to be this participant (unverified: ADR 0018).
          { kind: 'security.refusal', payload: { path: ['claimed', 'sub'], equals: p } },
          { kind: 'security.refusal', payload: { path: ['claimed', 'iss'], equals: p } },
          ...(grants.length > 0 ? [{ grantId: { in: grants } }] : []),
          ...(owned.length > 0 ? [{ dataset: { in: owned } }] : []),
        ],
      });
    }
    if (q.code) and.push({ kind: 'security.refusal', payload: { path: ['code'], equals: q.code } });
    return {
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.dataset ? { dataset: q.dataset } : {}),
      ...(q.grant ? { grantId: q.grant } : {}),
      ...(allow !== undefined ? { allow } : {}),
      ...(q.from || q.to
        ? { at: { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lt: new Date(q.to) } : {}) } }
        : {}),
      ...(q.after !== undefined ? { seq: { gt: BigInt(q.after) } } : {}),
      ...(and.length > 0 ? { AND: and } : {}),
    };
  }

  async query(q: AuditQuery): Promise<{ items: AuditItem[]; next: number | null }> {
    const limit = Math.min(q.limit ?? 100, AUDIT_PAGE_MAX);
    const rows = await this.prisma.auditEntry.findMany({
      where: await this.where(q),
      orderBy: { seq: 'asc' },
      take: limit,
    });
    return {
      items: rows.map(item),
      next: rows.length === limit ? Number(rows[rows.length - 1]!.seq) : null,
    };
  }

  /** Every matching entry, read in pages of 1000 as the client consumes the stream. */
  private async *rows(q: AuditQuery): AsyncGenerator<Row[]> {
    const where = await this.where({ ...q, after: undefined });
    let after = q.after !== undefined ? BigInt(q.after) : undefined;
    let left = q.limit ?? Infinity;
    while (left > 0) {
      const take = Math.min(1000, left);
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

  private async grantPurposes(rows: Row[]): Promise<Map<string, string>> {
    const ids = [...new Set(rows.map((r) => r.grantId).filter((g): g is string => !!g && UUID.test(g)))];
    if (ids.length === 0) return new Map();
    const grants = await this.prisma.grant.findMany({
      where: { id: { in: ids } },
      select: { id: true, purpose: true },
    });
    return new Map(grants.map((g) => [g.id, g.purpose]));
  }

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
        const purposes = await this.grantPurposes(page);
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

  // ---------------------------------------------------------------- originators

  /** Datasets whose contract (any version) names the participant as owner. */
  private ownedDatasets(participantId: string): string[] {
    const owned: string[] = [];
    for (const [dataset, versions] of this.state.contracts) {
      if ([...versions.values()].some((v) => v.owner === participantId)) owned.push(dataset);
    }
    return owned;
  }

  private ownerOf(dataset: string): string | undefined {
    const versions = this.state.contracts.get(dataset);
    return versions ? [...versions.values()][0]?.owner : undefined;
  }

  /**
   * The datasets a caller may see usage and receipts for: its own; compliance officers and admins
   * (audit:read) any one they name. Another originator's dataset is answered like one that does not
   * exist, so nothing can be inferred about it.
   */
  private async datasetsFor(actor: Principal, dataset: string | undefined): Promise<string[]> {
    const privileged = actor.scopes.has('audit:read');
    if (dataset) {
      const allowed = () =>
        privileged ? this.state.contracts.has(dataset) : this.ownerOf(dataset) === actor.participantId;
      if (!allowed()) await this.sync(0);
      if (!allowed()) {
        const error = notFound(
          'AUDIT.DATASET_NOT_FOUND',
          privileged ? `No dataset '${dataset}'` : `No dataset '${dataset}' of yours`,
          "Usage is shown to a dataset's originator only; your datasets are in GET /catalog?owner=<your id>",
        );
        throw this.ownerOf(dataset) !== undefined
          ? concealing(error, { type: 'dataset', id: dataset })
          : error;
      }
      return [dataset];
    }
    if (privileged && this.ownedDatasets(actor.participantId).length === 0) {
      throw badRequest('REQUEST.INVALID', 'Name the dataset', [
        { path: '/dataset', message: 'required for compliance officers' },
      ]);
    }
    await this.sync(250);
    return this.ownedDatasets(actor.participantId);
  }

  /**
   * Who used the originator's data, when and for what purpose: tokens issued to others for its datasets
   * and the decisions on their requests, streams and deliveries (with event counts), summed per consumer.
   * The originator's own actions (publishing, approving) are not usage and are left out.
   */
  async usage(actor: Principal, q: UsageQuery) {
    const datasets = await this.datasetsFor(actor, q.dataset);
    if (datasets.length === 0) return { datasets, consumers: [], items: [], next: null };
    const owners = [...new Set(datasets.map((d) => this.ownerOf(d)!))];
    const at =
      q.from || q.to
        ? { at: { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lt: new Date(q.to) } : {}) } }
        : {};
    const rows = await this.prisma.auditEntry.findMany({
      where: {
        dataset: { in: datasets },
        actorId: { notIn: owners },
        kind: { in: USAGE_KINDS },
        ...at,
        ...(q.after !== undefined ? { seq: { gt: BigInt(q.after) } } : {}),
      },
      orderBy: { seq: 'asc' },
      take: q.limit,
    });
    const since = q.from ? Prisma.sql`AND at >= ${new Date(q.from)}` : Prisma.empty;
    const until = q.to ? Prisma.sql`AND at < ${new Date(q.to)}` : Prisma.empty;
    const summary = await this.prisma.$queryRaw<
      {
        dataset: string;
        consumer: string;
        grants: string[];
        purposes: string[];
        tokens: number;
        deliveries: number;
        events: number;
        denied: number;
        first_at: Date;
        last_at: Date;
      }[]
    >`
      SELECT dataset, actor_id AS consumer,
        array_remove(array_agg(DISTINCT grant_id), NULL) AS grants,
        array_remove(array_agg(DISTINCT coalesce(payload->'input'->'grant'->>'purpose', payload->'input'->>'purpose')), NULL) AS purposes,
        (count(*) FILTER (WHERE kind = 'token.issued'))::int AS tokens,
        (count(*) FILTER (WHERE kind = 'decision' AND payload->>'action' = 'deliver' AND allow))::int AS deliveries,
        coalesce(sum(CASE WHEN kind = 'decision' AND payload->>'action' = 'deliver' AND allow
          AND jsonb_typeof(payload->'eventIds') = 'array' THEN jsonb_array_length(payload->'eventIds') ELSE 0 END), 0)::int AS events,
        (count(*) FILTER (WHERE allow = false))::int AS denied,
        min(at) AS first_at, max(at) AS last_at
      FROM clearing.audit_log
      WHERE dataset IN (${Prisma.join(datasets)}) AND actor_id NOT IN (${Prisma.join(owners)})
        AND kind IN (${Prisma.join(USAGE_KINDS)}) ${since} ${until}
      GROUP BY dataset, actor_id
      ORDER BY max(at) DESC`;
    const purposes = await this.grantPurposes(rows);
    const allGrants = [...new Set(summary.flatMap((s) => s.grants))].filter((g) => UUID.test(g));
    const grantPurpose =
      allGrants.length > 0
        ? new Map(
            (
              await this.prisma.grant.findMany({
                where: { id: { in: allGrants } },
                select: { id: true, purpose: true },
              })
            ).map((g) => [g.id, g.purpose]),
          )
        : new Map<string, string>();
    return {
      datasets,
      consumers: summary.map((s) => ({
        dataset: s.dataset,
        consumer: s.consumer,
        purposes: [
          ...new Set([
            ...s.grants.map((g) => grantPurpose.get(g)).filter((p): p is string => !!p),
            ...s.purposes,
          ]),
        ],
        grants: s.grants,
        tokensIssued: s.tokens,
        deliveries: s.deliveries,
        eventsDelivered: s.events,
        denied: s.denied,
        firstAt: s.first_at.toISOString(),
        lastAt: s.last_at.toISOString(),
      })),
      items: rows.map((r) => {
        const p = (r.payload ?? {}) as DecisionPayload;
        return {
          seq: Number(r.seq),
          at: r.at.toISOString(),
          dataset: r.dataset,
          consumer: r.actorId,
          action: r.kind === 'token.issued' ? 'token.issued' : (p.action ?? r.kind),
          purpose: purposeOf(p, r.grantId ? purposes.get(r.grantId) : undefined),
          grant: r.grantId,
          allow: r.allow,
          events: eventCount(p),
          reasons: Array.isArray(p.reasons) ? p.reasons : [],
        };
      }),
      next: rows.length === q.limit ? Number(rows[rows.length - 1]!.seq) : null,
    };
  }

  /**
   * A receipt for the originator: a signed checkpoint covering every entry about its datasets, and the
   * seq and hash of each of those entries, so it can later show they were on the record (POST /audit/verify
   * with the checkpoint proves the chain still reproduces it).
   */
  async receipts(actor: Principal, q: ReceiptsQuery) {
    const datasets = await this.datasetsFor(actor, q.dataset);
    const newest =
      datasets.length > 0
        ? await this.prisma.auditEntry.findFirst({
            where: { dataset: { in: datasets } },
            orderBy: { seq: 'desc' },
            select: { seq: true },
          })
        : null;
    let checkpoint = await this.checkpoints.latest();
    if (!checkpoint || (newest && BigInt(checkpoint.seq) < newest.seq)) {
      checkpoint = (await this.checkpoints.checkpoint()).checkpoint;
    }
    if (!checkpoint) throw this.noCheckpoint();
    const rows =
      datasets.length > 0
        ? await this.prisma.auditEntry.findMany({
            where: {
              dataset: { in: datasets },
              seq: { lte: BigInt(checkpoint.seq), ...(q.after !== undefined ? { gt: BigInt(q.after) } : {}) },
            },
            orderBy: { seq: 'asc' },
            take: q.limit,
            select: { seq: true, kind: true, at: true, hash: true },
          })
        : [];
    return {
      checkpoint,
      datasets,
      entries: rows.map((r) => ({ seq: Number(r.seq), kind: r.kind, at: r.at.toISOString(), hash: r.hash })),
      next: rows.length === q.limit ? Number(rows[rows.length - 1]!.seq) : null,
    };
  }

  // ---------------------------------------------------------------- checkpoints and verification

  async latestCheckpoint(): Promise<CheckpointView> {
    const latest = await this.checkpoints.latest();
    if (!latest) {
      const made = await this.checkpoints.checkpoint();
      if (!made.checkpoint) throw this.noCheckpoint();
      return made.checkpoint;
    }
    return latest;
  }

  createCheckpoint() {
    return this.checkpoints.checkpoint().then((made) => {
      if (!made.checkpoint) throw this.noCheckpoint();
      return made as { checkpoint: CheckpointView; created: boolean };
    });
  }

  checkpointKeys() {
    return this.checkpoints.verificationJwks;
  }

  /**
   * Re-walks the whole chain against every stored checkpoint and, if given, a checkpoint the caller kept:
   * a chain shorter than a checkpoint, or one whose hash at its seq differs, fails. `upToSupplied` (a
   * participant checking its receipt, not a compliance officer) walks only up to the supplied checkpoint's
   * seq: enough to prove what the receipt covers, without making clearing read the whole table for anyone.
   */
  verify(supplied?: string, options: { upToSupplied?: boolean } = {}): Promise<VerifyReport> {
    // A full walk reads the whole table: one at a time per replica, however many ask.
    const run = this.verifying.then(
      () => this.walk(supplied, options.upToSupplied === true),
      () => this.walk(supplied, options.upToSupplied === true),
    );
    this.verifying = run.catch(() => undefined);
    return run;
  }

  private async walk(supplied: string | undefined, upToSupplied: boolean): Promise<VerifyReport> {
    const claims = supplied ? await this.checkpoints.verifyJws(supplied) : null;
    // The newest checkpoint found anywhere counts: stored ones, those anchored on Kafka and in originators'
    // feeds, and the supplied one.
    const stored = combineHeads(this.checkpoints.storedHeads(), await this.checkpoints.anchoredHeads());
    const result = await verifyAudit(
      this.prisma,
      claims
        ? combineHeads(
            stored,
            headsOf([
              {
                seq: BigInt(claims.seq),
                hash: claims.hash,
                label: `the supplied checkpoint ${claims.seq} (kid ${claims.kid})`,
              },
            ]),
          )
        : stored,
      claims && upToSupplied ? { upTo: BigInt(claims.seq) } : {},
    );
    const latest = await this.checkpoints.latest();
    return {
      ...result,
      latestCheckpoint: latest
        ? { seq: latest.seq, hash: latest.hash, kid: latest.kid, createdAt: latest.createdAt }
        : null,
      supplied: claims ? { seq: claims.seq, hash: claims.hash, kid: claims.kid, iat: claims.iat } : null,
    };
  }

  private noCheckpoint() {
    return notFound(
      'AUDIT.NO_CHECKPOINT',
      'No checkpoint has been signed yet: the audit record is empty',
      'Try again once something has been recorded',
    );
  }
}
