import { randomUUID } from 'node:crypto';
import { Topics, type PlatformEvent } from '#libs/domain';
import { asJson, type Prisma } from '#libs/persistence';

/**
 * Writes a registry event to the outbox in the caller's transaction: the change and its event commit
 * together, and the relay publishes it to Kafka after the commit (a restart loses nothing).
 */
export async function emitRegistryEvent(
  tx: Prisma.TransactionClient,
  event: PlatformEvent,
  key: string,
  actorId: string,
  at: Date = new Date(),
): Promise<void> {
  await tx.registryOutbox.create({
    data: {
      topic: Topics.registryEvents,
      key,
      value: asJson({ ...event, id: randomUUID(), actor: actorId, at: at.toISOString() }),
    },
  });
}
