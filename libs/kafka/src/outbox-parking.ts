import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { DeadLetterNotice } from '@renkei/domain';
import { sharedCounter } from './counter.js';

/**
 * Poison messages in the outbox. The relay used to retry a batch Kafka refused forever, so one event Kafka
 * would never take (too large, invalid) held back every event behind it: logins and suspensions stopped
 * propagating. Here each drain delivers its rows in bounded chunks; when a chunk fails, its rows are tried
 * one by one so the culprit is known, and a row is parked (moved to the dead-letter table by the store)
 * when Kafka refuses it for good or keeps failing it past `maxAttempts` while Kafka is otherwise reachable.
 * A broker that is down is not the message's fault: such failures leave every row queued and uncounted.
 */

export interface OutboxRow {
  id: bigint;
  topic: string;
  key: string;
  value: unknown;
  /** Earlier failed deliveries Kafka answered; absent for stores that do not count them. */
  attempts?: number;
  createdAt?: Date;
}

export interface DeadLetter {
  row: OutboxRow;
  sizeBytes: number;
  /** Kafka's error type (e.g. `MESSAGE_TOO_LARGE`), or `ATTEMPTS_EXHAUSTED`. */
  reason: string;
  error: string;
  attempts: number;
}

/** What one drain did with the rows it claimed; the store records it in the same transaction. */
export interface OutboxOutcome {
  sent: bigint[];
  parked: DeadLetter[];
  /** The row that failed retriably: it and everything after it stay queued, in order. */
  failed?: { id: bigint; error: string; counted: boolean; producerState?: boolean };
}

export interface ParkingOptions {
  /** Failed attempts Kafka answered before a retriable error parks a row. */
  maxAttempts: number;
  /** Upper bound of one produce request's payload, well below the broker's `message.max.bytes`. */
  maxChunkBytes: number;
  /** Names the service in logs and metrics. */
  service: string;
}

export const DEFAULT_PARKING: Omit<ParkingOptions, 'service'> = { maxAttempts: 5, maxChunkBytes: 512 * 1024 };

/** Kafka error types that no retry can fix for this record. */
const PERMANENT = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TOPIC_EXCEPTION',
  'CORRUPT_MESSAGE',
  'POLICY_VIOLATION',
  'INVALID_TIMESTAMP',
]);

/**
 * The idempotent producer's own state is off (kafkajs rewinds its sequence numbers after a send whose answer
 * was lost, even when the broker wrote it): never the record's fault, and only a new producer id ends it.
 */
export const PRODUCER_STATE = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);

/** Broker-side states that concern the cluster, not the record: never counted against a row. */
const INFRASTRUCTURE = new Set([
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'BROKER_NOT_AVAILABLE',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'COORDINATOR_NOT_AVAILABLE',
  'KAFKA_STORAGE_ERROR',
  ...PRODUCER_STATE,
]);

export type FailureClass =
  { kind: 'permanent'; type: string } | { kind: 'record'; type: string } | { kind: 'infrastructure' };

/** Finds the Kafka protocol error type in an error or its causes (kafkajs wraps retried failures). */
export function kafkaErrorType(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === 'string') return type;
    current =
      (current as { cause?: unknown; originalError?: unknown }).cause ??
      (current as { originalError?: unknown }).originalError;
  }
  return undefined;
}

export function classifyFailure(error: unknown): FailureClass {
  const type = kafkaErrorType(error);
  if (type === undefined || INFRASTRUCTURE.has(type)) return { kind: 'infrastructure' };
  return PERMANENT.has(type) ? { kind: 'permanent', type } : { kind: 'record', type };
}

const deadLetters = sharedCounter(
  'renkei_outbox_dead_letters_total',
  'Outbox events parked in the dead-letter table because Kafka would not take them',
  ['service', 'reason'],
);

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1000);

interface Prepared {
  row: OutboxRow;
  message: { key: string; value: string };
  bytes: number;
}

function chunks(rows: Prepared[], maxBytes: number): Prepared[][] {
  const out: Prepared[][] = [];
  let current: Prepared[] = [];
  let size = 0;
  for (const r of rows) {
    if (current.length > 0 && size + r.bytes > maxBytes) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(r);
    size += r.bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function send(producer: Pick<Producer, 'sendBatch'>, rows: Prepared[]): Promise<void> {
  const byTopic = new Map<string, { key: string; value: string }[]>();
  for (const r of rows) {
    const list = byTopic.get(r.row.topic) ?? [];
    list.push(r.message);
    byTopic.set(r.row.topic, list);
  }
  await producer.sendBatch({
    acks: -1,
    topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
  });
}

/**
 * Delivers claimed rows in order and says which were sent, which are parked and where it stopped. Rows of
 * a failed chunk that went through on their own may be sent twice (at-least-once; consumers deduplicate
 * by event id).
 */
export async function deliverOrPark(
  producer: Pick<Producer, 'sendBatch'>,
  rows: OutboxRow[],
  options: ParkingOptions,
  logger: Logger,
): Promise<OutboxOutcome> {
  const outcome: OutboxOutcome = { sent: [], parked: [] };
  const prepared = rows.map((row) => {
    const message = { key: row.key, value: JSON.stringify(row.value) };
    return { row, message, bytes: Buffer.byteLength(message.key) + Buffer.byteLength(message.value) };
  });
  for (const chunk of chunks(prepared, options.maxChunkBytes)) {
    try {
      await send(producer, chunk);
      outcome.sent.push(...chunk.map((r) => r.row.id));
      continue;
    } catch (error) {
      if (classifyFailure(error).kind === 'infrastructure') {
        outcome.failed = {
          id: chunk[0]!.row.id,
          error: messageOf(error),
          counted: false,
          producerState: PRODUCER_STATE.has(kafkaErrorType(error) ?? ''),
        };
        return outcome;
      }
    }
    // The chunk failed for a reason about its records: find which, one at a time, in order.
    for (const r of chunk) {
      try {
        await send(producer, [r]);
        outcome.sent.push(r.row.id);
      } catch (error) {
        const failure = classifyFailure(error);
        const attempts = (r.row.attempts ?? 0) + (failure.kind === 'infrastructure' ? 0 : 1);
        if (failure.kind === 'permanent' || (failure.kind === 'record' && attempts >= options.maxAttempts)) {
          const reason = failure.kind === 'permanent' ? failure.type : 'ATTEMPTS_EXHAUSTED';
          const letter = { row: r.row, sizeBytes: r.bytes, reason, error: messageOf(error), attempts };
          outcome.parked.push(letter);
          deadLetters.inc({ service: options.service, reason });
          // An alert for operators: what and why, never the payload (it may carry personal data).
          logger.error(
            {
              alert: 'outbox.dead-lettered',
              service: options.service,
              outboxId: r.row.id.toString(),
              topic: r.row.topic,
              eventType: eventType(r.row.value),
              eventId: eventId(r.row.value),
              sizeBytes: r.bytes,
              reason,
              attempts,
            },
            'outbox event parked in the dead-letter table; the events behind it go on',
          );
          continue;
        }
        outcome.failed = {
          id: r.row.id,
          error: messageOf(error),
          counted: failure.kind !== 'infrastructure',
          producerState: PRODUCER_STATE.has(kafkaErrorType(error) ?? ''),
        };
        return outcome;
      }
    }
  }
  return outcome;
}

export function eventType(value: unknown): string | null {
  const type = (value as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type.slice(0, 100) : null;
}

export function eventId(value: unknown): string | null {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id.slice(0, 100) : null;
}

/** What the compliance-visible record of a dead letter says: the event's identity and why, no payload. */
export function deadLetterNotice(letter: DeadLetter, at: Date): DeadLetterNotice {
  return {
    outboxId: letter.row.id.toString(),
    topic: letter.row.topic,
    eventId: eventId(letter.row.value),
    eventType: eventType(letter.row.value),
    sizeBytes: letter.sizeBytes,
    reason: letter.reason,
    attempts: letter.attempts,
    deadLetteredAt: at.toISOString(),
  };
}
