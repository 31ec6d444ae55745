import type { PrismaClient } from '@renkei/persistence';
import { appendAudit, type AuditAppend } from './audit-log.js';

/**
 * Appends the records not yet on the chain, in one transaction: a record redelivered by Kafka, or flushed
 * twice, is skipped by its id (the entry's id), and so is a duplicate within the batch.
 */
export async function appendOnce<T>(
  prisma: PrismaClient,
  records: T[],
  idOf: (record: T) => string,
  entryOf: (record: T) => AuditAppend,
): Promise<void> {
  if (records.length === 0) return;
  await prisma.$transaction(async (tx) => {
    const seen = new Set(
      (
        await tx.auditEntry.findMany({
          where: { id: { in: records.map(idOf) } },
          select: { id: true },
        })
      ).map((e) => e.id),
    );
    const fresh = new Map(records.filter((r) => !seen.has(idOf(r))).map((r) => [idOf(r), r]));
    await appendAudit(tx, [...fresh.values()].map(entryOf));
  });
}
