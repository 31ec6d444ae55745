import type { Consumer, EachBatchPayload, EachMessagePayload, Message, Producer } from 'kafkajs';
import { register, type MetricValue } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectedSpans, inSpan, resetCollectedSpans, startTracing } from '@renkei/platform';
import { instrumentConsumer, instrumentProducer, topicFamily, traceparentOf } from './instrumentation.js';

/** A metric's values; a histogram's carry the series name (`_count`, `_sum`, `_bucket`). */
const valuesOf = async (name: string) =>
  ((await register.getSingleMetric(name)?.get())?.values ?? []) as (MetricValue<string> & {
    metricName?: string;
  })[];
const countOf = async (name: string, topic: string) =>
  (await valuesOf(name)).find((v) => v.metricName === `${name}_count` && v.labels.topic === topic)?.value ??
  0;

/** A producer stand-in that keeps what it was asked to send. */
function fakeProducer(fail = false) {
  const sent: Message[][] = [];
  const producer = {
    send: ({ messages }: { messages: Message[] }) => {
      sent.push(messages);
      return fail ? Promise.reject(new Error('refused')) : Promise.resolve([]);
    },
    sendBatch: ({ topicMessages }: { topicMessages: { messages: Message[] }[] }) => {
      for (const t of topicMessages) sent.push(t.messages);
      return Promise.resolve([]);
    },
  } as unknown as Pick<Producer, 'send' | 'sendBatch'>;
  return { producer: instrumentProducer(producer), sent };
}

/** A consumer stand-in: the test calls the handlers run() was given, and fires END_BATCH_PROCESS. */
function fakeConsumer(groupId: string) {
  const listeners = new Map<string, (e: { payload: Record<string, unknown> }) => void>();
  let config: {
    eachMessage?: (p: EachMessagePayload) => Promise<void>;
    eachBatch?: (p: EachBatchPayload) => Promise<void>;
  } = {};
  const consumer = {
    events: { END_BATCH_PROCESS: 'end-batch', STOP: 'stop' },
    on: (event: string, listener: (e: { payload: Record<string, unknown> }) => void) => {
      listeners.set(event, listener);
      return () => undefined;
    },
    run: (c: typeof config) => {
      config = c;
      return Promise.resolve();
    },
  } as unknown as Consumer;
  instrumentConsumer(consumer, groupId);
  // What a service does: run with its handlers (which the instrumentation wraps).
  void consumer.run({ eachBatch: () => Promise.resolve(), eachMessage: () => Promise.resolve() });
  return {
    consumer,
    handlers: () => config,
    emit: (event: string, payload: Record<string, unknown>) => listeners.get(event)?.({ payload }),
  };
}

describe('topic families (bounded labels)', () => {
  it('strips the prefix and the dataset: a topic per dataset is one label value', () => {
    expect(topicFamily('renkei.data.battery.cfp')).toBe('data');
    expect(topicFamily('renkei.data.other')).toBe('data');
    expect(topicFamily('renkei.dlq.battery.cfp')).toBe('dlq');
    expect(topicFamily('renkei.audit.decisions')).toBe('audit.decisions');
    expect(topicFamily('renkei.registry.events')).toBe('registry.events');
    expect(topicFamily('someone.elses.topic')).toBe('other');
  });
});

describe('producers and consumers, tracing off', () => {
  it('times every send by topic family and adds no headers', async () => {
    const { producer, sent } = fakeProducer();
    const before = await countOf('renkei_kafka_produce_duration_seconds', 'data');
    await producer.send({ topic: 'renkei.data.x', messages: [{ value: 'a' }] });
    await producer.sendBatch({
      topicMessages: [
        { topic: 'renkei.data.y', messages: [{ value: 'b' }] },
        { topic: 'renkei.audit.decisions', messages: [{ value: 'c' }] },
      ],
    });
    expect(await countOf('renkei_kafka_produce_duration_seconds', 'data')).toBe(before + 2);
    expect(await countOf('renkei_kafka_produce_duration_seconds', 'audit.decisions')).toBeGreaterThanOrEqual(
      1,
    );
    expect(sent.flat().every((m) => m.headers === undefined)).toBe(true);
  });

  it('counts a refused send as an error and throws it on', async () => {
    const { producer } = fakeProducer(true);
    await expect(
      producer.send({ topic: 'renkei.clearing.events', messages: [{ value: 'a' }] }),
    ).rejects.toThrow('refused');
    expect(
      (await valuesOf('renkei_kafka_produce_errors_total')).find((v) => v.labels.topic === 'clearing.events')
        ?.value,
    ).toBeGreaterThanOrEqual(1);
  });

  it('observes consume latency per message and the lag kafkajs reports, per topic family', async () => {
    const { handlers, emit } = fakeConsumer('g1');
    const before = await countOf('renkei_kafka_consume_latency_seconds', 'data');
    const now = Date.now();
    await handlers().eachBatch!({
      batch: {
        topic: 'renkei.data.x',
        partition: 0,
        messages: [
          { offset: '0', timestamp: String(now - 2_000), value: null },
          { offset: '1', timestamp: String(now - 1_000), value: null },
        ],
      },
    } as unknown as EachBatchPayload);
    expect(await countOf('renkei_kafka_consume_latency_seconds', 'data')).toBe(before + 2);
    const sum = (await valuesOf('renkei_kafka_consume_latency_seconds')).find(
      (v) => v.metricName === 'renkei_kafka_consume_latency_seconds_sum' && v.labels.topic === 'data',
    )!.value;
    expect(sum).toBeGreaterThanOrEqual(2.9);
    // Two consumers of one partition count once (the larger); partitions and topics of a family add up.
    emit('end-batch', { topic: 'renkei.data.x', partition: 0, offsetLag: '7' });
    fakeConsumer('g2').emit('end-batch', { topic: 'renkei.data.x', partition: 0, offsetLag: '3' });
    fakeConsumer('g3').emit('end-batch', { topic: 'renkei.data.y', partition: 1, offsetLag: '5' });
    expect((await valuesOf('renkei_kafka_consumer_lag')).find((v) => v.labels.topic === 'data')?.value).toBe(
      12,
    );
    // A consumer that stops no longer lags.
    emit('stop', {});
    expect((await valuesOf('renkei_kafka_consumer_lag')).find((v) => v.labels.topic === 'data')?.value).toBe(
      8,
    );
  });
});

describe('producers and consumers, tracing on', () => {
  let stop: (() => Promise<void>) | undefined;
  beforeAll(() => {
    stop = startTracing('test', { TRACING: 'on' });
  });
  afterAll(async () => stop?.());

  it('writes the active trace context into each message without one, and keeps one already there', async () => {
    const { producer, sent } = fakeProducer();
    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await inSpan('request', () =>
      producer.send({
        topic: 'renkei.data.x',
        messages: [{ value: 'a' }, { value: 'b', headers: { traceparent: own } }],
      }),
    );
    const [first, second] = sent.at(-1)!;
    const active = (await collectedSpans()).find((s) => s.name === 'request')!.spanContext();
    expect(traceparentOf(first!.headers)).toBe(`00-${active.traceId}-${active.spanId}-01`);
    expect(traceparentOf(second!.headers)).toBe(own);
  });

  it('adds nothing outside a span', async () => {
    const { producer, sent } = fakeProducer();
    await producer.send({ topic: 'renkei.data.x', messages: [{ value: 'a' }] });
    expect(sent.at(-1)![0]!.headers).toBeUndefined();
  });

  it('runs an eachMessage handler in a consumer span that continues the message trace', async () => {
    resetCollectedSpans();
    const { handlers } = fakeConsumer('g4');
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await handlers().eachMessage!({
      topic: 'renkei.clearing.events',
      partition: 0,
      message: {
        offset: '0',
        timestamp: String(Date.now()),
        value: null,
        headers: { traceparent: Buffer.from(parent) },
      },
    } as unknown as EachMessagePayload);
    const span = (await collectedSpans()).find((s) => s.name === 'kafka.consume clearing.events')!;
    expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    // A message without a trace starts none.
    await handlers().eachMessage!({
      topic: 'renkei.clearing.events',
      partition: 0,
      message: { offset: '1', timestamp: String(Date.now()), value: null },
    } as unknown as EachMessagePayload);
    expect(await collectedSpans()).toHaveLength(1);
  });
});
