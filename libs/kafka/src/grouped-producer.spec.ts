import type { ProducerBatch, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { DeadlineExceeded } from '@renkei/platform';
import { GroupedProducer, type Publication } from './grouped-producer.js';

const silent = { error: () => undefined };

/** A Producer whose produce requests are answered by the test, one at a time. */
function fakeProducer() {
  const requests: {
    batch: ProducerBatch;
    answer: (r: RecordMetadata[]) => void;
    fail: (e: unknown) => void;
  }[] = [];
  const producer = {
    sendBatch: (batch: ProducerBatch) =>
      new Promise<RecordMetadata[]>((answer, fail) => requests.push({ batch, answer, fail })),
  };
  return { producer, requests };
}

const publication = (topic: string, partitions: number[], tag = 'x'): Publication => ({
  topic,
  messages: partitions.map((partition, i) => ({ key: `${tag}-${i}`, value: `${tag}-${i}`, partition })),
  audit: { key: 'p', value: `record-${tag}` },
});

const ack = (topicName: string, partition: number, baseOffset: string): RecordMetadata => ({
  topicName,
  partition,
  baseOffset,
  errorCode: 0,
});

/** Lets the producer's queue run up to its next await. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupedProducer', () => {
  it('sends the first publication at once and combines those that arrive meanwhile into one request', async () => {
    const { producer, requests } = fakeProducer();
    const grouped = new GroupedProducer(producer, silent, { auditTopic: 'audit' });
    const first = grouped.produce(publication('data', [0], 'a'));
    await tick();
    expect(requests).toHaveLength(1);
    const second = grouped.produce(publication('data', [0], 'b'));
    const third = grouped.produce(publication('data', [0], 'c'));
    await tick();
    // Still one request in flight: b and c wait for it.
    expect(requests).toHaveLength(1);
    requests[0]!.answer([ack('data', 0, '10'), ack('audit', 0, '0')]);
    await expect(first).resolves.toEqual([{ partition: 0, baseOffset: '10' }]);
    await tick();
    expect(requests).toHaveLength(2);
    const combined = requests[1]!.batch;
    expect(combined.acks).toBe(-1);
    // One entry per topic, in arrival order; each publication's decision record goes with it.
    expect(combined.topicMessages!.map((t) => [t.topic, t.messages.map((m) => m.value)])).toEqual([
      ['data', ['b-0', 'c-0']],
      ['audit', ['record-b', 'record-c']],
    ]);
    requests[1]!.answer([ack('data', 0, '11'), ack('audit', 0, '1')]);
    await expect(second).resolves.toEqual([{ partition: 0, baseOffset: '11' }]);
    await expect(third).resolves.toEqual([{ partition: 0, baseOffset: '12' }]);
  });

  it('tells each publication of a combined request where its own events landed, per partition', async () => {
    const { producer, requests } = fakeProducer();
    const grouped = new GroupedProducer(producer, silent, { auditTopic: 'audit' });
    const blocker = grouped.produce(publication('data', [0], 'blocker'));
    await tick();
    // a: two events on partition 0, one on 2; b: one on 2, two on 0; c: another topic.
    const a = grouped.produce(publication('data', [0, 2, 0], 'a'));
    const b = grouped.produce(publication('data', [2, 0, 0], 'b'));
    const c = grouped.produce(publication('other', [1], 'c'));
    requests[0]!.answer([ack('data', 0, '0')]);
    await blocker;
    await tick();
    requests[1]!.answer([ack('data', 0, '100'), ack('data', 2, '7'), ack('other', 1, '3')]);
    await expect(a).resolves.toEqual([
      { partition: 0, baseOffset: '100' },
      { partition: 2, baseOffset: '7' },
    ]);
    await expect(b).resolves.toEqual([
      { partition: 0, baseOffset: '102' },
      { partition: 2, baseOffset: '8' },
    ]);
    await expect(c).resolves.toEqual([{ partition: 1, baseOffset: '3' }]);
  });

  it('sends a group no bigger than the combined limit; a bigger publication goes on its own', async () => {
    const { producer, requests } = fakeProducer();
    const grouped = new GroupedProducer(producer, silent, { auditTopic: 'audit', maxCombinedChars: 40 });
    const blocker = grouped.produce(publication('data', [0], 'z'));
    await tick();
    // Each of these is 3 + 3 + 8 = 14 characters: two fit in 40, the third does not.
    const waiting = ['a', 'b', 'c'].map((tag) => grouped.produce(publication('data', [0], tag)));
    requests[0]!.answer([]);
    await blocker;
    await tick();
    expect(requests[1]!.batch.topicMessages![0]!.messages.map((m) => m.value)).toEqual(['a-0', 'b-0']);
    requests[1]!.answer([]);
    await tick();
    expect(requests[2]!.batch.topicMessages![0]!.messages.map((m) => m.value)).toEqual(['c-0']);
    requests[2]!.answer([]);
    // Without a base offset from Kafka the placement says so (an empty offset), rather than guessing.
    await expect(Promise.all(waiting)).resolves.toEqual([
      [{ partition: 0, baseOffset: '' }],
      [{ partition: 0, baseOffset: '' }],
      [{ partition: 0, baseOffset: '' }],
    ]);
  });

  it('refuses at once with 503 KAFKA.UNAVAILABLE once the queue behind the request in flight is full', async () => {
    const { producer, requests } = fakeProducer();
    const grouped = new GroupedProducer(producer, silent, { auditTopic: 'audit', maxQueued: 2 });
    const inFlight = grouped.produce(publication('data', [0], 'a'));
    await tick();
    const queued = [
      grouped.produce(publication('data', [0], 'b')),
      grouped.produce(publication('data', [0], 'c')),
    ];
    await expect(grouped.produce(publication('data', [0], 'd'))).rejects.toMatchObject({
      kind: 'unavailable',
      code: 'KAFKA.UNAVAILABLE',
    });
    // Nothing of the refused publication reached Kafka.
    requests[0]!.answer([]);
    await inFlight;
    await tick();
    requests[1]!.answer([]);
    await Promise.all(queued);
    expect(
      requests.flatMap((r) => r.batch.topicMessages!.flatMap((t) => t.messages.map((m) => m.value))),
    ).not.toContain('d-0');
  });

  it('also bounds the characters waiting, not only the number of publications', async () => {
    const { producer } = fakeProducer();
    const grouped = new GroupedProducer(producer, silent, { auditTopic: 'audit', maxQueuedChars: 20 });
    void grouped.produce(publication('data', [0], 'a')).catch(() => undefined);
    await tick();
    // In flight, a no longer counts; b (14 characters) waits, c would bring the waiting ones to 28.
    void grouped.produce(publication('data', [0], 'b')).catch(() => undefined);
    await expect(grouped.produce(publication('data', [0], 'c'))).rejects.toMatchObject({
      code: 'KAFKA.UNAVAILABLE',
    });
  });

  it('fails a request Kafka does not answer within the deadline, with everything waiting behind it, then recovers', async () => {
    const { producer, requests } = fakeProducer();
    const grouped = new GroupedProducer(producer, silent, { auditTopic: 'audit', sendDeadlineMs: 30 });
    const stalled = grouped.produce(publication('data', [0], 'a'));
    await tick();
    const behind = grouped.produce(publication('data', [0], 'b'));
    await expect(stalled).rejects.toBeInstanceOf(DeadlineExceeded);
    await expect(behind).rejects.toBeInstanceOf(DeadlineExceeded);
    // A late answer to the stalled request changes nothing; the next publication gets a request of its own.
    requests[0]!.answer([ack('data', 0, '5')]);
    const next = grouped.produce(publication('data', [0], 'c'));
    await tick();
    expect(requests).toHaveLength(2);
    requests[1]!.answer([ack('data', 0, '6')]);
    await expect(next).resolves.toEqual([{ partition: 0, baseOffset: '6' }]);
  });

  it('fails every publication of a refused request and those waiting behind it', async () => {
    const { producer, requests } = fakeProducer();
    const grouped = new GroupedProducer(producer, silent, { auditTopic: 'audit' });
    const refused = grouped.produce(publication('data', [0], 'a'));
    await tick();
    const behind = grouped.produce(publication('data', [0], 'b'));
    const broker = new Error('broker said no');
    requests[0]!.fail(broker);
    await expect(refused).rejects.toBe(broker);
    await expect(behind).rejects.toBe(broker);
    expect(requests).toHaveLength(1);
  });
});
