import { DomainError } from './errors.js';

/**
 * Kafka refuses a record batch larger than the broker's `message.max.bytes` (1,048,588 bytes by default;
 * the platform's brokers and topics keep the default, and kafkajs has no client-side limit of its own).
 * A platform event that Kafka refuses would be a poison message in the outbox, so no event larger than
 * this may enter one: the change it announces is refused at the API instead. The margin covers the record
 * and batch headers, the key and the metadata the outbox adds.
 */
export const KAFKA_MESSAGE_MAX_BYTES = 1_048_588;
export const OUTBOX_EVENT_MAX_BYTES_DEFAULT = 1_000_000;

/** The configured limit (`OUTBOX_MAX_EVENT_BYTES`), never above what Kafka accepts. */
export function outboxEventMaxBytes(): number {
  const configured = Number(process.env.OUTBOX_MAX_EVENT_BYTES ?? OUTBOX_EVENT_MAX_BYTES_DEFAULT);
  if (!Number.isInteger(configured) || configured < 1024) return OUTBOX_EVENT_MAX_BYTES_DEFAULT;
  return Math.min(configured, KAFKA_MESSAGE_MAX_BYTES - 16 * 1024);
}

/**
 * Room left for the lifecycle events that follow a contract's first event (deprecation and retirement
 * carry the same terms plus a reason): a contract is refused at registration unless all of them fit.
 */
export const LIFECYCLE_RESERVE_BYTES = 16 * 1024;

/** The serialized size of an event as the relay will produce it (compact JSON, UTF-8). */
export function eventBytes(key: string, value: unknown): number {
  return Buffer.byteLength(key, 'utf8') + Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * Throws `EVENT.TOO_LARGE` (422) when the event announcing a change would not fit in one Kafka message;
 * the caller's transaction rolls back, so nothing half-done remains. `reserve` keeps room for later events
 * about the same thing; `path` points at the part of the request that made it large.
 */
export function assertEventFits(
  key: string,
  value: unknown,
  opts: { reserve?: number; path?: string; what?: string } = {},
): void {
  const limit = outboxEventMaxBytes() - (opts.reserve ?? 0);
  const size = eventBytes(key, value);
  if (size <= limit) return;
  throw new DomainError(
    'EVENT.TOO_LARGE',
    'unprocessable',
    `The event announcing this ${opts.what ?? 'change'} would be ${size} bytes; the limit is ${limit} bytes`,
    {
      details: [
        {
          path: opts.path ?? '',
          message: `serialized event of ${size} bytes exceeds the platform's event limit of ${limit} bytes (Kafka accepts at most ${KAFKA_MESSAGE_MAX_BYTES} bytes per message)`,
          limit: String(limit),
          size: String(size),
        },
      ],
      hint: 'Make it smaller (e.g. shorter descriptions, fewer examples or enum values) and try again; every change is announced to all services as one Kafka message.',
    },
  );
}
