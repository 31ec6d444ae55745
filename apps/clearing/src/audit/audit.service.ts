import { Inject, Injectable } from '@nestjs/common';
import type { PrismaClient } from '#libs/persistence';
import { PRISMA } from '../clearing.tokens.js';
import { verifyAudit } from './audit-log.js';
import type { AuditQuery } from './audit.dto.js';

@Injectable()
export class AuditService {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async query(q: AuditQuery) {
    const rows = await this.prisma.auditEntry.findMany({
      where: {
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.dataset ? { dataset: q.dataset } : {}),
        ...(q.participant ? { actorId: q.participant } : {}),
        ...(q.grant ? { grantId: q.grant } : {}),
        ...(q.allow ? { allow: q.allow === 'true' } : {}),
        ...(q.from || q.to
          ? { at: { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lt: new Date(q.to) } : {}) } }
          : {}),
        ...(q.after !== undefined ? { seq: { gt: BigInt(q.after) } } : {}),
      },
      orderBy: { seq: 'asc' },
      take: q.limit,
    });
    const items = rows.map((r) => ({
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
    }));
    return { items, next: rows.length === q.limit ? Number(rows[rows.length - 1]!.seq) : null };
  }

  verify() {
    return verifyAudit(this.prisma);
  }
}
