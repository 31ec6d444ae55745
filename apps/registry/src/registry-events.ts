import { randomUUID } from 'node:crypto';
import { assertEventFits, LIFECYCLE_RESERVE_BYTES, Topics, type PlatformEvent } from '@renkei/domain';
import { asJson, type Prisma } from '@renkei/persistence';

/**
 * Writes a registry event to the outbox in the caller's transaction: the change and its event commit
 * together, and the relay publishes it to Kafka after the commit (a restart loses nothing).
 *
 * An event Kafka could not take is refused here (`EVENT.TOO_LARGE`, the transaction rolls back) rather
 * than becoming a poison message in the outbox. A contract's first events keep room for the lifecycle
 * events that later repeat its terms, so a registered contract can always be deprecated and retired.
 */
export async function emitRegistryEvent(
  tx: Prisma.TransactionClient,
  event: PlatformEvent,
  key: string,
  actorId: string,
  at: Date = new Date(),
): Promise<void> {
  const row = registryOutboxRow(event, key, actorId, at);
  await tx.registryOutbox.create({ data: { ...row, value: asJson(row.value) } });
}

/** The outbox row of a registry event (its id, actor and time added), refused if Kafka could not take it. */
export function registryOutboxRow(
  event: PlatformEvent,
  key: string,
  actorId: string,
  at: Date = new Date(),
): { topic: string; key: string; value: PlatformEvent & { id: string; actor: string; at: string } } {
  const value = { ...event, id: randomUUID(), actor: actorId, at: at.toISOString() };
  const firstOfContract = event.type === 'contract.drafted' || event.type === 'contract.published';
  assertEventFits(key, value, {
    reserve: firstOfContract ? LIFECYCLE_RESERVE_BYTES : 0,
    path: event.type.startsWith('contract.') ? '/schema' : '',
    what: event.type.startsWith('contract.') ? 'contract' : 'change',
  });
  return { topic: Topics.registryEvents, key, value };
}
