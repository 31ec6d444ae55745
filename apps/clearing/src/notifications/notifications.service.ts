import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@renkei/auth';
import { concealing, notFound } from '@renkei/domain';
import { PrismaClient } from '@renkei/persistence';

type NotificationRow = Awaited<ReturnType<PrismaClient['notification']['findUniqueOrThrow']>>;

const toDto = (n: NotificationRow) => ({
  id: n.id,
  kind: n.kind,
  dataset: n.dataset,
  version: n.version,
  grantId: n.grantId,
  message: n.message,
  reason: n.reason,
  at: n.eventAt.toISOString(),
  readAt: n.readAt?.toISOString() ?? null,
});

/** A participant's own notifications; every query is scoped to the caller. */
@Injectable()
export class NotificationsService {
  constructor(@Inject(PrismaClient) private readonly prisma: PrismaClient) {}

  async list(actor: Principal, unreadOnly: boolean) {
    const rows = await this.prisma.notification.findMany({
      where: { participantId: actor.participantId, ...(unreadOnly ? { readAt: null } : {}) },
      orderBy: [{ eventAt: 'desc' }, { id: 'asc' }],
      take: 200,
    });
    return rows.map(toDto);
  }

  async markRead(actor: Principal, id: string) {
    const row = await this.prisma.notification.findFirst({
      where: { id, participantId: actor.participantId },
    });
    if (!row) {
      const error = notFound('NOTIFICATION.NOT_FOUND', `No notification ${id} for you`);
      // Someone else's notification gets the same answer, and is recorded as a refusal (ADR 0018).
      const exists = await this.prisma.notification.findUnique({ where: { id }, select: { id: true } });
      throw exists ? concealing(error, { type: 'notification', id }) : error;
    }
    const updated = await this.prisma.notification.update({
      where: { id },
      data: { readAt: row.readAt ?? new Date() },
    });
    return toDto(updated);
  }
}
