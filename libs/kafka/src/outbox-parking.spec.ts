import type { Producer, ProducerBatch } from 'kafkajs';
import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { classifyFailure, deliverOrPark, type OutboxRow } from './outbox-parking.js';

const logger = pino({ level: 'silent' });
const options = { maxAttempts: 3, maxChunkBytes: 1000, service: 'spec' };

const protocolError = (type: string, retriable: boolean) =>
  new KafkaJSProtocolError({ type, code: 0, retriable, message: `${type} from the broker` } as never);
// As kafkajs's retrier wraps a non-retriable protocol error: the broker's answer is the cause.
const tooLarge = () => {
  const cause = protocolError('MESSAGE_TOO_LARGE', false);
  return Object.assign(new KafkaJSNonRetriableError(cause), { cause });
};
const unknownTopic = () =>
  new KafkaJSNumberOfRetriesExceeded(protocolError('UNKNOWN_TOPIC_OR_PARTITION', true), {
    retryCount: 8,
    retryTime: 100,
  });
const brokerDown = () => new KafkaJSConnectionError('Connection error: ECONNREFUSED');

const row = (n: number, bytes = 10, attempts = 0): OutboxRow => ({
  id: BigInt(n),
  topic: 't',
  key: 'k',
  value: { id: `e${n}`, type: 'x', pad: 'p'.repeat(bytes) },
  attempts,
});

/** A producer that refuses any batch holding a row `refuse` picks, and records what it sent. */
function fakeProducer(refuse: (n: number) => Error | undefined) {
  const sent: number[][] = [];
  const producer = {
    sendBatch: (batch: ProducerBatch) => {
      const ns = batch.topicMessages!.flatMap((t) =>
        t.messages.map((m) => (JSON.parse(m.value as string) as { id: string }).id),
      );
      const numbers = ns.map((id) => Number(id.slice(1)));
      const error = numbers.map(refuse).find((e) => e !== undefined);
      if (error) return Promise.reject(error);
      sent.push(numbers);
      return Promise.resolve([]);
    },
  } as unknown as Producer;
  return { producer, sent };
}

describe('outbox poison-message handling', () => {
  it('tells a record Kafka will never take from a cluster that is down', () => {
    expect(classifyFailure(tooLarge())).toEqual({ kind: 'permanent', type: 'MESSAGE_TOO_LARGE' });
    expect(classifyFailure(unknownTopic())).toEqual({ kind: 'record', type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    expect(classifyFailure(brokerDown())).toEqual({ kind: 'infrastructure' });
    expect(classifyFailure(protocolError('NOT_LEADER_OR_FOLLOWER', true))).toEqual({
      kind: 'infrastructure',
    });
  });

  it('sends everything in one go when Kafka takes it (the legitimate path)', async () => {
    const { producer, sent } = fakeProducer(() => undefined);
    const outcome = await deliverOrPark(producer, [row(1), row(2), row(3)], options, logger);
    expect(outcome).toEqual({ sent: [1n, 2n, 3n], parked: [] });
    expect(sent).toEqual([[1, 2, 3]]);
  });

  it('keeps each produce request under the chunk size, so large events never add up to an oversized batch', async () => {
    const { producer, sent } = fakeProducer(() => undefined);
    await deliverOrPark(producer, [row(1, 600), row(2, 600), row(3, 10)], options, logger);
    expect(sent).toEqual([[1], [2, 3]]);
  });

  it('parks a record Kafka refuses for good and delivers the ones behind it, in order', async () => {
    const { producer, sent } = fakeProducer((n) => (n === 2 ? tooLarge() : undefined));
    const outcome = await deliverOrPark(producer, [row(1), row(2), row(3), row(4)], options, logger);
    expect(outcome.sent).toEqual([1n, 3n, 4n]);
    expect(outcome.parked).toEqual([
      expect.objectContaining({
        reason: 'MESSAGE_TOO_LARGE',
        attempts: 1,
        row: expect.objectContaining({ id: 2n }),
      }),
    ]);
    expect(outcome.failed).toBeUndefined();
    expect(sent).toEqual([[1], [3], [4]]);
  });

  it('holds a retriable failure in place (counted) until the attempt limit, then parks it', async () => {
    const { producer } = fakeProducer((n) => (n === 1 ? unknownTopic() : undefined));
    const early = await deliverOrPark(producer, [row(1, 10, 0), row(2)], options, logger);
    expect(early).toMatchObject({ sent: [], parked: [], failed: { id: 1n, counted: true } });
    const last = await deliverOrPark(producer, [row(1, 10, 2), row(2)], options, logger);
    expect(last.parked).toEqual([expect.objectContaining({ reason: 'ATTEMPTS_EXHAUSTED', attempts: 3 })]);
    expect(last.sent).toEqual([2n]);
  });

  it('never counts or parks anything while the cluster is down: every row stays queued', async () => {
    const { producer } = fakeProducer(() => brokerDown());
    const outcome = await deliverOrPark(producer, [row(1, 10, 2), row(2)], options, logger);
    expect(outcome).toMatchObject({ sent: [], parked: [], failed: { id: 1n, counted: false } });
  });

  it("never parks a row for the producer's own sequence, and asks for a new producer id", async () => {
    // After a send whose answer was lost, kafkajs rewinds its sequence: the broker refuses the next batch
    // until a new producer id is used. That is not the row's fault, however often it happens.
    const { producer } = fakeProducer(() => protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', false));
    expect(classifyFailure(protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', false))).toEqual({
      kind: 'infrastructure',
    });
    const outcome = await deliverOrPark(producer, [row(1, 10, 4), row(2)], options, logger);
    expect(outcome).toMatchObject({
      sent: [],
      parked: [],
      failed: { id: 1n, counted: false, producerState: true },
    });
  });
});
