import type { EachBatchPayload, Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { BatchedDecisions, DeliveryHub } from './delivery-hub.js';
import { TopicFeed, type FeedBatch, type FeedReader } from './topic-feed.js';

/** A kafkajs consumer that records what the feed asks of it and lets the test hand it batches. */
function fakeKafka() {
  const seeks: [number, string][] = [];
  const deleted: string[][] = [];
  const calls: string[] = [];
  let eachBatch: ((p: EachBatchPayload) => Promise<void>) | undefined;
  const consumer = {
    events: { CRASH: 'crash', GROUP_JOIN: 'join' },
    on: () => undefined,
    connect: () => (calls.push('connect'), Promise.resolve()),
    subscribe: () => Promise.resolve(),
    run: (o: { eachBatch: typeof eachBatch }) => ((eachBatch = o.eachBatch), Promise.resolve()),
    seek: ({ partition, offset }: { partition: number; offset: string }) =>
      void seeks.push([partition, offset]),
    disconnect: () => (calls.push('disconnect'), Promise.resolve()),
  };
  const admin = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    deleteGroups: (groups: string[]) => (deleted.push(groups), Promise.resolve([])),
  };
  const kafka = {
    consumer: () => (calls.push('consumer'), consumer),
    admin: () => admin,
  } as unknown as Kafka;
  const read = (partition: number, offsets: number[], value = (_o: number): Buffer => Buffer.from('{}')) =>
    eachBatch!({
      batch: {
        topic: 't',
        partition,
        messages: offsets.map((o) => ({ offset: String(o), timestamp: '0', value: value(o) })),
      },
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload);
  return { kafka, admin, seeks, deleted, calls, read };
}

const reader = () => {
  const offered: FeedBatch[] = [];
  const r: FeedReader = { offer: (b) => void offered.push(b), interrupted: () => undefined };
  return { r, offered };
};

const quiet = { warn: () => undefined, error: () => undefined };

describe('TopicFeed: one consumer for every stream of a dataset', () => {
  it('checks the barrier once per batch, before any stream is offered it', async () => {
    const k = fakeKafka();
    let syncs = 0;
    let caughtUp!: () => void;
    const feed = new TopicFeed(
      k.kafka,
      () => Promise.resolve(k.admin),
      () => (syncs++, new Promise<void>((resolve) => (caughtUp = resolve))),
      quiet,
      'battery.cfp',
    );
    const [a, b] = [reader(), reader()];
    await feed.attach(a.r, new Map([[0, 0n]]));
    await feed.attach(b.r, new Map([[0, 0n]]));
    const reading = k.read(0, [0, 1]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.offered).toEqual([]);
    caughtUp();
    await reading;
    expect(syncs).toBe(1);
    // Decoded once: both streams get the very same batch.
    expect(a.offered).toHaveLength(1);
    expect(b.offered[0]).toBe(a.offered[0]);
  });

  it('passes a message that is not a data envelope on as a gap, and the events behind it as they are', async () => {
    const k = fakeKafka();
    const rejected: unknown[] = [];
    const feed = new TopicFeed(
      k.kafka,
      () => Promise.resolve(k.admin),
      () => Promise.resolve(),
      { warn: () => undefined, error: (o: unknown) => void rejected.push(o) },
      'battery.cfp',
    );
    const a = reader();
    await feed.attach(a.r, new Map([[0, 0n]]));
    const envelope = {
      id: 'e-1',
      type: 'battery.cfp',
      schemaVersion: '1.0.0',
      occurredAt: '2026-12-02T00:00:00Z',
      publishedAt: '2026-12-02T00:00:00Z',
      dataset: 'battery.cfp',
      contractVersion: '1.0.0',
      originator: 'cell-maker',
      payload: { cfpKgCo2e: 61.2 },
    };
    const values: Record<number, Buffer> = {
      0: Buffer.from('not json'),
      1: Buffer.from(JSON.stringify({ ...envelope, payload: 'not an object' })),
      2: Buffer.from(JSON.stringify(envelope)),
    };
    // Would throw (and kafkajs retry the batch for ever) if a bad message reached JSON.parse unguarded.
    await k.read(0, [0, 1, 2], (o) => values[o]!);
    expect(a.offered[0]!.messages.map((m) => m.envelope)).toEqual([null, null, envelope]);
    expect(rejected).toHaveLength(2);
    expect(rejected[1]).toMatchObject({ offset: '1', path: '/payload' });
  });

  it('goes back for a stream that starts behind it, and never forward for one ahead', async () => {
    const k = fakeKafka();
    const feed = new TopicFeed(
      k.kafka,
      () => Promise.resolve(k.admin),
      () => Promise.resolve(),
      quiet,
      'd',
    );
    await feed.attach(reader().r, new Map([[0, 10n]]));
    await k.read(0, [10, 11, 12]);
    k.seeks.length = 0;
    await feed.attach(reader().r, new Map([[0, 20n]]));
    expect(k.seeks).toEqual([]);
    await feed.attach(reader().r, new Map([[0, 4n]]));
    expect(k.seeks).toEqual([[0, '4']]);
  });

  it('is made by the first stream and stopped by the last, its consumer group deleted', async () => {
    const k = fakeKafka();
    const hub = new DeliveryHub(k.kafka, () => Promise.resolve(), quiet);
    const [a, b] = [reader(), reader()];
    const feed = await hub.join('d', a.r, new Map([[0, 0n]]));
    expect(await hub.join('d', b.r, new Map([[0, 0n]]))).toBe(feed);
    expect(k.calls.filter((c) => c === 'consumer')).toHaveLength(1);
    await hub.leave(feed, a.r);
    expect(k.calls).not.toContain('disconnect');
    await hub.leave(feed, b.r);
    expect(k.calls).toContain('disconnect');
    expect(k.deleted).toEqual([[feed.groupId]]);
    expect(hub.datasets).toEqual([]);
  });
});

describe('BatchedDecisions', () => {
  const record = (i: number) => ({ decisionId: `d-${i}`, pad: 'x'.repeat(10_000) }) as never;

  it('sends the records of many streams together, but never more than Kafka takes in one batch', async () => {
    const sends: number[] = [];
    const batched = new BatchedDecisions({
      record: (records) => Promise.resolve(void sends.push(records.length)),
    });
    // 200 streams opening at once, ~10 KB of record each: 2 MB would be refused whole by the broker.
    await Promise.all(Array.from({ length: 200 }, (_, i) => batched.record([record(i)])));
    expect(sends.reduce((a, b) => a + b, 0)).toBe(200);
    expect(sends.length).toBeGreaterThan(1);
    expect(sends.length).toBeLessThan(20);
    for (const n of sends) expect(n * 10_000).toBeLessThanOrEqual(256 * 1024);
  });

  it('fails only the callers whose send failed', async () => {
    let calls = 0;
    const batched = new BatchedDecisions({
      record: () => (calls++ === 0 ? Promise.reject(new Error('refused')) : Promise.resolve()),
    });
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) => batched.record([record(i)])),
    );
    const failed = results.filter((r) => r.status === 'rejected').length;
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(60);
  });
});
