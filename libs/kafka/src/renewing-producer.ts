import type { Producer, ProducerBatch, ProducerRecord, RecordMetadata } from 'kafkajs';

/**
 * An idempotent producer that never reuses a sequence number for different records.
 *
 * kafkajs numbers each partition's record batches (producer id + sequence) and, when a produce request
 * fails, winds the sequence back, even when the failure is ambiguous: the broker appended the batch and
 * then died (SIGKILL) or the answer was lost. The next batch then goes out under the same sequence
 * numbers; if it has as many records per partition, Kafka takes it for a retry of the appended batch and
 * acknowledges it with that batch's offset without writing it. Every publication in it is answered 202
 * and is not on the bus (the "The broker received an out of order sequence number" errors after a broker
 * restart are the same fault with a different record count). kafkajs offers no way to move to a new
 * producer id, so this wrapper does: sends go one at a time, each to the current producer, and a send
 * that fails or stalls retires that producer for good (it may still finish its own retries, with its own
 * records, but is never given another batch) and the next send goes to a fresh producer with a new id.
 * A retired producer's late success is genuine: nothing else ever shared its sequence numbers.
 *
 * The same renewal is what brings publishing back after a broker hangs (SIGSTOP, a partition): a producer
 * whose connection or request went to the silent broker is retired within `stallMs`, and its successor
 * starts from a fresh bootstrap connection and fresh metadata (the new leaders, once the controller has
 * fenced the silent broker), instead of waiting on the old connection until kafkajs gives up on it.
 */
export function renewingProducer(
  create: () => Producer,
  logger: { warn(context: object, message: string): void },
  /** A send that has not settled by then retires its producer, so the next one need not wait for it. */
  stallMs: number,
): Producer {
  let current = create();
  let connected: Promise<void> | null = null;
  let stopped = false;
  let tail: Promise<void> = Promise.resolve();

  const connect = (p: Producer) => {
    if (p !== current) return p.connect();
    connected ??= p.connect().catch((error: unknown) => {
      connected = null;
      throw error;
    });
    return connected;
  };

  const retire = (p: Producer, why: unknown) => {
    if (p !== current || stopped) return;
    logger.warn({ err: why }, 'Kafka send failed or stalled; continuing with a new producer id');
    current = create();
    connected = null;
    // Let its own retries run out, then let go of its connections.
    void p.disconnect().catch(() => undefined);
  };

  function serialized<T>(send: (p: Producer) => Promise<T>): Promise<T> {
    const started = tail.then(() => {
      const p = current;
      // Connecting is part of the attempt: a producer whose connection failed or hangs (a seed broker
      // that accepted the socket and never answered leaves kafkajs "connected" but unusable: every later
      // request fails with "Broker not connected") is retired like one whose send failed.
      const result = connect(p).then(() => send(p));
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          retire(p, new Error(`no answer within ${stallMs} ms`));
          resolve();
        }, stallMs);
      });
      // The next send waits for this one, or for its producer's retirement, whichever comes first.
      const turn = Promise.race([
        result.then(
          () => undefined,
          (error: unknown) => retire(p, error),
        ),
        stalled,
      ]).finally(() => clearTimeout(timer));
      return { result, turn };
    });
    tail = started.then(({ turn }) => turn);
    return started.then(({ result }) => result);
  }

  return new Proxy(current, {
    get(_target, prop) {
      if (prop === 'send') {
        return (record: ProducerRecord): Promise<RecordMetadata[]> => serialized((p) => p.send(record));
      }
      if (prop === 'sendBatch') {
        return (batch: ProducerBatch): Promise<RecordMetadata[]> => serialized((p) => p.sendBatch(batch));
      }
      if (prop === 'connect') return () => connect(current);
      if (prop === 'disconnect') {
        return async () => {
          stopped = true;
          await tail;
          await current.disconnect();
        };
      }
      const value = (current as unknown as Record<PropertyKey, unknown>)[prop];
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
    },
  });
}
