import type { z } from 'zod';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { BatchIngest, decodeMessage } from '@renkei/kafka';
import { REFUSAL_RECORD_MAX_BYTES, RefusalRecordSchema, Topics, type RefusalRecord } from '@renkei/domain';
import type { PrismaClient } from '@renkei/persistence';
import { refusalEntry } from './audit-log.js';
import { appendOnce } from './audit-ingest.js';

/** Appends refusal records not yet on the chain (a redelivered or re-flushed one is skipped by its id). */
export function appendRefusals(prisma: PrismaClient, records: RefusalRecord[]): Promise<void> {
  return appendOnce(prisma, records, (r) => r.id, refusalEntry);
}

/** The refusal schema, read as the record type (it checks what the entry needs; the rest is kept as sent). */
const schema = RefusalRecordSchema as unknown as z.ZodType<RefusalRecord>;

/** A message another service sent is input like any other: only well-formed records reach the chain. */
export function parseRefusal(value: Buffer | null): RefusalRecord | null {
  const decoded = decodeMessage(schema, value, { maxBytes: REFUSAL_RECORD_MAX_BYTES, asSent: true });
  return decoded.ok ? decoded.value : null;
}

/**
 * Appends the security refusals of the other services (topic `<prefix>.audit.refusals`) to the audit
 * chain: the same BatchIngest as DecisionIngest (offsets committed only after the batch is durably in
 * PostgreSQL, a redelivered record skipped by its id, a malformed message logged, counted and skipped).
 */
export class RefusalIngest extends BatchIngest<RefusalRecord> {
  constructor(kafka: Kafka, prisma: PrismaClient, logger: Logger) {
    super(
      kafka,
      {
        name: 'refusal-ingest',
        topic: Topics.auditRefusals,
        groupId: `${Topics.auditRefusals}.clearing`,
        schema,
        maxBytes: REFUSAL_RECORD_MAX_BYTES,
        store: (records) => appendRefusals(prisma, records),
      },
      logger,
    );
  }
}
