import { randomUUID } from 'node:crypto';
import { assertEventFits, Topics, type PlatformEvent } from '@renkei/domain';
import { asJson, type Prisma } from '@renkei/persistence';

/**
 * Writes a clearing event to the outbox in the caller's transaction (the relay publishes it after the
 * commit). An event Kafka could not take is refused here (`EVENT.TOO_LARGE`, the transaction rolls back)
 * instead of becoming a poison message in the outbox.
 */
export async function emitClearingEvent(
  tx: Prisma.TransactionClient,
  event: PlatformEvent,
  key: string,
  at: Date,
  actorId?: string,
): Promise<void> {
  const value = {
    ...event,
    id: randomUUID(),
    ...(actorId === undefined ? {} : { actor: actorId }),
    at: at.toISOString(),
  };
  assertEventFits(key, value);
  await tx.clearingOutbox.create({ data: { topic: Topics.clearingEvents, key, value: asJson(value) } });
}
