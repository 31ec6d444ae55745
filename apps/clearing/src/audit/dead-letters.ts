import type { DeadLetterNotice, PlatformEvent } from '@renkei/domain';
import { deadLetterNotice } from '@renkei/kafka';
import type { OnDeadLetter, PrismaClient } from '@renkei/persistence';
import { appendAudit, type AuditAppend } from './audit-log.js';

/**
 * Dead letters on the audit chain: an event a service's outbox relay parked because Kafka would not take
 * it means some change never reached the other services, which compliance must be able to see. The entry
 * names the event and the reason, never its payload.
 */
export function deadLetterEntry(service: string, notice: DeadLetterNotice, id?: string): AuditAppend {
  return {
    id,
    kind: 'outbox.dead-letter',
    at: new Date(notice.deadLetteredAt),
    actorId: `renkei-${service}`,
    dataset: null,
    grantId: null,
    allow: null,
    payload: { service, ...notice },
  };
}

/** Clearing's own dead letters go on its chain in the transaction that parks them. */
export const appendClearingDeadLetters: OnDeadLetter = (tx, letters) => {
  const at = new Date();
  return appendAudit(
    tx,
    letters.map((l) => deadLetterEntry('clearing', deadLetterNotice(l, at))),
  );
};

/**
 * Another service's dead letter, announced on its event topic. The topic is replayed from the start on
 * every boot, so the entry takes the event's id and a replayed one is skipped.
 */
export async function recordAnnouncedDeadLetter(prisma: PrismaClient, event: PlatformEvent): Promise<void> {
  if (event.type !== 'outbox.dead-lettered' || !event.id) return;
  const id = event.id;
  await prisma.$transaction(async (tx) => {
    if (await tx.auditEntry.findUnique({ where: { id }, select: { id: true } })) return;
    await appendAudit(tx, [deadLetterEntry(event.service, event.deadLetter, id)]);
  });
}
