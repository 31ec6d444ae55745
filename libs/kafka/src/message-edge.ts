import type { Logger } from 'pino';
import type { z } from 'zod';
import { sharedCounter } from './counter.js';
import { topicFamily } from './instrumentation.js';

/**
 * The Kafka edge: a message another process wrote is input like an HTTP body. It is read against a schema,
 * and one that does not fit is logged with where it sits (topic, partition, offset) and what is wrong with
 * it (the JSON pointer of the first failing field), counted on /metrics, and skipped: a consumer never
 * stops on it and never holds back the messages behind it.
 */

export type Decoded<T> = { ok: true; value: T } | { ok: false; path: string; problem: string };

export interface DecodeOptions {
  /** Larger messages are refused unread. */
  maxBytes?: number;
  /**
   * Keep the value exactly as sent (only checked), instead of the schema's output: for records that are
   * stored as they came (the audit chain hashes them).
   */
  asSent?: boolean;
}

/** Reads one message value (UTF-8 JSON) against `schema`. */
export function decodeMessage<T>(
  schema: z.ZodType<T>,
  value: Buffer | null,
  options: DecodeOptions = {},
): Decoded<T> {
  if (!value || value.length === 0) return { ok: false, path: '', problem: 'empty message' };
  if (options.maxBytes !== undefined && value.length > options.maxBytes)
    return { ok: false, path: '', problem: `larger than ${options.maxBytes} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return { ok: false, path: '', problem: 'not JSON' };
  }
  return checkMessage(schema, json, options);
}

/** Checks an already parsed value against `schema` (see decodeMessage). */
export function checkMessage<T>(
  schema: z.ZodType<T>,
  json: unknown,
  options: Pick<DecodeOptions, 'asSent'> = {},
): Decoded<T> {
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: options.asSent ? (json as T) : result.data };
  const issue = result.error.issues[0];
  return {
    ok: false,
    path: pointer(issue?.path ?? []),
    problem: issue?.message ?? 'invalid',
  };
}

/** RFC 6901 JSON pointer of an issue path: `/grant/state`, `` for the whole message. */
function pointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** Labelled by topic family (instrumentation.ts): a data topic's name carries its dataset. */
const invalidMessages = sharedCounter(
  'renkei_kafka_invalid_messages_total',
  'Kafka messages a consumer skipped because they did not match their schema',
  ['consumer', 'topic'],
);

export interface MessagePosition {
  topic: string;
  partition: number;
  offset: string;
}

/** Logs and counts a message that did not decode; the caller then skips it. */
export function rejectMessage(
  logger: Pick<Logger, 'error'>,
  consumer: string,
  at: MessagePosition,
  failure: { path: string; problem: string },
): void {
  invalidMessages.inc({ consumer, topic: topicFamily(at.topic) });
  logger.error(
    {
      consumer,
      topic: at.topic,
      partition: at.partition,
      offset: at.offset,
      path: failure.path,
      problem: failure.problem,
    },
    'invalid Kafka message skipped',
  );
}
