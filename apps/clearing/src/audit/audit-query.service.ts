import { Inject, Injectable } from '@nestjs/common';
import { notFound } from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import { PrismaClient, type Prisma } from '@renkei/persistence';
import { DatasetOwners } from '../datasets/dataset-owners.js';
import { item, UUID, type AuditItem } from './audit-entries.js';
import { AUDIT_PAGE_MAX, PersonTagSchema, type AuditQuery } from './audit.dto.js';

/** Compliance queries of the chain: a filtered page of entries, and whom a person tag stands for. */
@Injectable()
export class AuditQueryService {
  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(DatasetOwners) private readonly owners: DatasetOwners,
  ) {}

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

  /**
   * The filter of a query (and of an export). A participant matches as actor, as a party to the grant an
   * entry names, as owner of its dataset, or as the subject a refused token claimed to be.
   */
  async where(q: AuditQuery): Promise<Prisma.AuditEntryWhereInput> {
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
      const owned = this.owners.ownedBy(p);
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
      // Decisions only: generated, indexed columns (action, rule, policy_revision; see the migration).
      ...(q.action ? { action: q.action } : {}),
      ...(q.rule ? { rule: q.rule } : {}),
      ...(q.revision ? { policyRevision: q.revision } : {}),
      ...(allow !== undefined ? { allow } : {}),
      ...(q.from || q.to
        ? { at: { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lt: new Date(q.to) } : {}) } }
        : {}),
      ...(q.after !== undefined ? { seq: { gt: BigInt(q.after) } } : {}),
      ...(and.length > 0 ? { AND: and } : {}),
    };
  }
}
