import type { z } from 'zod';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { BatchIngest, checkMessage, type SupervisedState } from '@renkei/kafka';
import { DecisionRecordSchema, Topics, type DecisionRecordInput } from '@renkei/domain';
import type { PrismaClient } from '@renkei/persistence';
import { decisionEntry } from './audit-log.js';
import { appendOnce } from './audit-ingest.js';

/** The fields the chain entry is built from, with the types it needs (the rest is kept as sent). */
export function isDecisionRecord(v: unknown): v is DecisionRecordInput {
  return checkMessage(DecisionRecordSchema, v).ok;
}

/**
 * Appends the exchange's decision records (publish, subscribe, deliveries) to the audit chain: a
 * BatchIngest (offsets committed only after the batch is durably in PostgreSQL, a malformed record logged,
 * counted and skipped) whose store skips a redelivered record by its id.
 */
export class DecisionIngest extends BatchIngest<DecisionRecordInput> {
  constructor(
    kafka: Kafka,
    prisma: PrismaClient,
    logger: Logger,
    report?: (state: SupervisedState, reason?: unknown) => void,
  ) {
    super(
      kafka,
      {
        name: 'decision-ingest',
        topic: Topics.auditDecisions,
        groupId: `${Topics.auditDecisions}.clearing`,
        // The record is appended as sent; the schema checks what the chain entry is built from.
        schema: DecisionRecordSchema as unknown as z.ZodType<DecisionRecordInput>,
        store: (records) => appendOnce(prisma, records, (r) => r.decisionId, decisionEntry),
      },
      logger,
      report,
    );
  }
}
