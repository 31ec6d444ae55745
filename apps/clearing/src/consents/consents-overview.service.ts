import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, PlatformProjection, badRequest, type Clock } from '@renkei/domain';
import { PrismaClient, type Prisma } from '@renkei/persistence';
import {
  OVERVIEW_GROUPS_MAX,
  type ConsentOverview,
  type ConsentOverviewQuery,
} from './consents-overview.dto.js';

type Decision = ConsentOverview['items'][number]['decision'];

const sourceOf = (consentKey: string): ConsentOverview['items'][number]['source'] =>
  consentKey.startsWith('fhir:')
    ? 'fhir'
    : consentKey.startsWith('renkei:opt-out:')
      ? 'opt-out'
      : consentKey.startsWith('renkei:erasure:')
        ? 'erasure'
        : 'other';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The cursor: the last item's recording time and row id, newest first. */
const encodeCursor = (at: Date, id: string) => Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const when = new Date(at ?? '');
  if (!id || !UUID.test(id) || Number.isNaN(when.getTime())) {
    throw badRequest('REQUEST.INVALID', 'The cursor is not one this API gave', [
      { path: '/after', message: 'pass the `next` of the previous page' },
    ]);
  }
  return { at: when, id };
}

/**
 * Compliance officers' overview of persons' consent records across originators: counts and a page of
 * records, showing of the person nothing but the pseudonymous subject reference (no FHIR ids, which may
 * embed a patient id, and no provision contents).
 */
@Injectable()
export class ConsentsOverviewService {
  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(PlatformProjection) private readonly state: PlatformProjection,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async overview(q: ConsentOverviewQuery): Promise<ConsentOverview> {
    const where: Prisma.PersonConsentWhereInput = {
      ...(q.originator ? { originatorId: q.originator } : {}),
      ...(q.dataset ? { dataset: q.dataset } : {}),
      ...(q.state ? { decision: q.state } : {}),
    };
    const cursor = q.after ? decodeCursor(q.after) : null;
    const page: Prisma.PersonConsentWhereInput = cursor
      ? {
          AND: [
            where,
            {
              OR: [{ recordedAt: { lt: cursor.at } }, { recordedAt: cursor.at, id: { lt: cursor.id } }],
            },
          ],
        }
      : where;
    const [groups, rows] = await Promise.all([
      this.prisma.personConsent.groupBy({
        by: ['originatorId', 'dataset', 'decision'],
        where,
        _count: { _all: true },
        orderBy: [{ originatorId: 'asc' }, { dataset: 'asc' }, { decision: 'asc' }],
        take: OVERVIEW_GROUPS_MAX,
      }),
      this.prisma.personConsent.findMany({
        where: page,
        orderBy: [{ recordedAt: 'desc' }, { id: 'desc' }],
        take: q.limit,
        select: {
          id: true,
          originatorId: true,
          subjectRef: true,
          consentKey: true,
          dataset: true,
          decision: true,
          provisions: true,
          validFrom: true,
          validUntil: true,
          recordedAt: true,
        },
      }),
    ]);
    const name = (id: string) => this.state.participants.get(id)?.legalName ?? null;
    const now = this.clock.now().getTime();
    const last = rows.at(-1);
    return {
      counts: groups.map((g) => ({
        originator: g.originatorId,
        originatorName: name(g.originatorId),
        dataset: g.dataset,
        decision: g.decision as Decision,
        count: g._count._all,
      })),
      total: groups.reduce((n, g) => n + g._count._all, 0),
      items: rows.map((r) => ({
        originator: r.originatorId,
        originatorName: name(r.originatorId),
        subjectRef: r.subjectRef,
        dataset: r.dataset,
        decision: r.decision as Decision,
        source: sourceOf(r.consentKey),
        provisions: Array.isArray(r.provisions) ? r.provisions.length : 0,
        validFrom: r.validFrom?.toISOString() ?? null,
        validUntil: r.validUntil?.toISOString() ?? null,
        inForce:
          r.decision !== 'withdrawn' &&
          (r.validFrom === null || r.validFrom.getTime() <= now) &&
          (r.validUntil === null || r.validUntil.getTime() > now),
        recordedAt: r.recordedAt.toISOString(),
      })),
      next: rows.length === q.limit && last ? encodeCursor(last.recordedAt, last.id) : null,
    };
  }
}
