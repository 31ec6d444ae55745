import { Inject, Injectable } from '@nestjs/common';
import { badRequest, concealing, notFound } from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import { Prisma, PrismaClient } from '@renkei/persistence';
import { syncFor, type ProjectionSync } from '@renkei/policy';
import { PROJECTION_SYNC } from '../core/clearing-core.module.js';
import { DatasetOwners } from '../datasets/dataset-owners.js';
import { eventCount, grantPurposes, purposeOf, type DecisionPayload } from './audit-entries.js';
import type { ReceiptsQuery, UsageQuery } from './audit.dto.js';
import {
  SERIES_MAX_ROWS,
  seriesSpan,
  type UsageSeries,
  type UsageSeriesQuery,
} from './audit-usage-series.dto.js';
import { AuditCheckpointer, noCheckpoint } from './checkpoints.js';

/** Entries that show a dataset being used: tokens issued and the decisions on requests, streams, deliveries. */
const USAGE_KINDS = ['token.issued', 'decision'];

/** What originators see of the chain about their own datasets: who used them, and signed receipts. */
@Injectable()
export class AuditUsageService {
  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(PROJECTION_SYNC) private readonly sync: ProjectionSync,
    @Inject(DatasetOwners) private readonly owners: DatasetOwners,
    @Inject(AuditCheckpointer) private readonly checkpoints: AuditCheckpointer,
  ) {}

  /**
   * Who used the originator's data, when and for what purpose: tokens issued to others for its datasets
   * and the decisions on their requests, streams and deliveries (with event counts), summed per consumer.
   * The originator's own actions (publishing, approving) are not usage and are left out.
   */
  async usage(actor: Principal, q: UsageQuery) {
    const datasets = await this.datasetsFor(actor, q.dataset);
    if (datasets.length === 0) return { datasets, consumers: [], items: [], next: null };
    const owners = [...new Set(datasets.map((d) => this.owners.currentOwner(d)!))];
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
    const purposes = await grantPurposes(this.prisma, rows);
    const grantPurpose = await grantPurposes(
      this.prisma,
      [...new Set(summary.flatMap((s) => s.grants))].map((grantId) => ({ grantId })),
    );
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
   * Usage over time: the same entries as `usage`, counted per bucket (UTC hour or day), dataset, consumer
   * and purpose (the grant's, else the one the decision names). Bounded by the query (buckets) and by
   * SERIES_MAX_ROWS.
   */
  async series(actor: Principal, q: UsageSeriesQuery): Promise<UsageSeries> {
    const datasets = await this.datasetsFor(actor, q.dataset);
    const { from, to } = seriesSpan(q);
    const head = { bucket: q.bucket, from: from.toISOString(), to: to.toISOString(), datasets };
    if (datasets.length === 0) return { ...head, rows: [], truncated: false };
    const owners = [...new Set(datasets.map((d) => this.owners.currentOwner(d)!))];
    const rows = await this.prisma.$queryRaw<
      {
        bucket: Date;
        dataset: string;
        consumer: string;
        purpose: string | null;
        deliveries: number;
        events: number;
        tokens: number;
        denied: number;
      }[]
    >`
      SELECT date_trunc(${q.bucket}, a.at, 'UTC') AS bucket, a.dataset, a.actor_id AS consumer,
        coalesce(g.purpose, a.payload->'input'->'grant'->>'purpose', a.payload->'input'->>'purpose') AS purpose,
        (count(*) FILTER (WHERE a.kind = 'decision' AND a.payload->>'action' = 'deliver' AND a.allow))::int AS deliveries,
        coalesce(sum(CASE WHEN a.kind = 'decision' AND a.payload->>'action' = 'deliver' AND a.allow
          AND jsonb_typeof(a.payload->'eventIds') = 'array' THEN jsonb_array_length(a.payload->'eventIds') ELSE 0 END), 0)::int AS events,
        (count(*) FILTER (WHERE a.kind = 'token.issued'))::int AS tokens,
        (count(*) FILTER (WHERE a.allow = false))::int AS denied
      FROM clearing.audit_log a
      LEFT JOIN clearing.grants g ON g.id::text = a.grant_id
      WHERE a.dataset IN (${Prisma.join(datasets)}) AND a.actor_id NOT IN (${Prisma.join(owners)})
        AND a.kind IN (${Prisma.join(USAGE_KINDS)}) AND a.at >= ${from} AND a.at < ${to}
      GROUP BY 1, 2, 3, 4
      ORDER BY 1, 2, 3, 4
      LIMIT ${SERIES_MAX_ROWS + 1}`;
    return {
      ...head,
      rows: rows.slice(0, SERIES_MAX_ROWS).map((r) => ({
        bucket: r.bucket.toISOString(),
        dataset: r.dataset,
        consumer: r.consumer,
        purpose: r.purpose,
        deliveries: r.deliveries,
        events: r.events,
        tokens: r.tokens,
        denied: r.denied,
      })),
      truncated: rows.length > SERIES_MAX_ROWS,
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
    if (!checkpoint) throw noCheckpoint();
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

  /**
   * The datasets a caller may see usage and receipts for: its own; compliance officers and admins
   * (audit:read) any one they name. Another originator's dataset is answered like one that does not
   * exist, so nothing can be inferred about it.
   */
  private async datasetsFor(actor: Principal, dataset: string | undefined): Promise<string[]> {
    const privileged = actor.scopes.has('audit:read');
    if (dataset) {
      const allowed = () =>
        privileged ? this.owners.exists(dataset) : this.owners.currentOwner(dataset) === actor.participantId;
      // A contract registered a moment ago may not be in the projection yet.
      if (!allowed()) await syncFor(this.sync, allowed);
      if (!allowed()) {
        const error = notFound(
          'AUDIT.DATASET_NOT_FOUND',
          privileged ? `No dataset '${dataset}'` : `No dataset '${dataset}' of yours`,
          "Usage is shown to a dataset's originator only; your datasets are in GET /catalog?owner=<your id>",
        );
        throw this.owners.currentOwner(dataset) !== undefined
          ? concealing(error, { type: 'dataset', id: dataset })
          : error;
      }
      return [dataset];
    }
    if (privileged && this.owners.ownedBy(actor.participantId).length === 0) {
      throw badRequest('REQUEST.INVALID', 'Name the dataset', [
        { path: '/dataset', message: 'required for compliance officers' },
      ]);
    }
    await syncFor(this.sync);
    return this.owners.ownedBy(actor.participantId);
  }
}
