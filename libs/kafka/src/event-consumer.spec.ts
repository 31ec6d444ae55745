import type { EachMessagePayload, Kafka } from 'kafkajs';
import { pino } from 'pino';
import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PlatformEventSchema, type PlatformEvent } from '@renkei/domain';
import { EventConsumer } from './event-consumer.js';

/** A kafkajs stand-in: the test feeds messages to the consumer's eachMessage; the topic end is `high`. */
function fakeKafka(high: () => number) {
  let eachMessage: ((p: EachMessagePayload) => Promise<void>) | undefined;
  const consumer = {
    events: { GROUP_JOIN: 'join', CRASH: 'crash' },
    on: () => undefined,
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
    seek: () => undefined,
    run: (config: { eachMessage: (p: EachMessagePayload) => Promise<void> }) => {
      eachMessage = config.eachMessage;
      return Promise.resolve();
    },
  };
  const admin = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    fetchTopicOffsets: () => Promise.resolve([{ partition: 0, high: String(high()), low: '0', offset: '0' }]),
  };
  const kafka = { consumer: () => consumer, admin: () => admin } as unknown as Kafka;
  const deliver = (offset: number, value: string | null) =>
    eachMessage!({
      topic: 'renkei.clearing.events',
      partition: 0,
      message: { offset: String(offset), value: value === null ? null : Buffer.from(value) },
    } as unknown as EachMessagePayload);
  return { kafka, deliver };
}

async function invalidCount(consumer: string): Promise<number> {
  const metric = await register.getSingleMetric('renkei_kafka_invalid_messages_total')?.get();
  return metric?.values.find((v) => v.labels.consumer === consumer)?.value ?? 0;
}

const revoked = JSON.stringify({
  type: 'grant.changed',
  grant: {
    id: 'g1',
    state: 'revoked',
    originator: 'o',
    consumer: 'c',
    dataset: 'battery.cfp',
    purpose: 'p',
    fields: null,
    validFrom: '2026-12-01T00:00:00.000Z',
    validUntil: null,
    changedAt: '2026-12-02T00:00:00.000Z',
  },
  actor: 'o',
  reason: null,
});

describe('EventConsumer at the Kafka edge', () => {
  it('skips and counts what does not fit the schema, applies what is behind it, and lets the barrier pass', async () => {
    const logged: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'error' },
      { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) },
    );
    let end = 0;
    const { kafka, deliver } = fakeKafka(() => end);
    const applied: PlatformEvent[] = [];
    const consumer = new EventConsumer(
      kafka,
      ['renkei.clearing.events'],
      (_topic, event) => void applied.push(event),
      logger,
      'spec-edge',
      undefined,
      PlatformEventSchema,
    );
    await consumer.start();
    const before = await invalidCount('spec-edge');
    end = 4;
    const barrier = consumer.barrier(0, 2_000);
    await deliver(0, '\u00ff not json');
    await deliver(1, '{"type":"grant.changed","grant":{"id":"g1","state":"paused"}}');
    await deliver(2, null);
    await deliver(3, revoked);
    await expect(barrier).resolves.toBeUndefined();
    expect(applied.map((e) => e.type)).toEqual(['grant.changed']);
    expect(await invalidCount('spec-edge')).toBe(before + 3);
    expect(logged.map((l) => [l.offset, l.path])).toEqual([
      ['0', ''],
      ['1', '/grant/state'],
      ['2', ''],
    ]);
    expect(logged.every((l) => l.topic === 'renkei.clearing.events' && l.consumer === 'spec-edge')).toBe(
      true,
    );
    await consumer.stop();
  });

  it('goes on after an event its handler cannot take', async () => {
    let end = 0;
    const { kafka, deliver } = fakeKafka(() => end);
    const applied: string[] = [];
    let calls = 0;
    const consumer = new EventConsumer(
      kafka,
      ['renkei.clearing.events'],
      (_topic, event) => {
        if (calls++ === 0) throw new Error('cannot apply');
        applied.push(event.type);
      },
      pino({ level: 'silent' }),
      'spec-apply',
      undefined,
      PlatformEventSchema,
    );
    await consumer.start();
    end = 2;
    const barrier = consumer.barrier(0, 2_000);
    await deliver(0, revoked);
    await deliver(1, revoked);
    await expect(barrier).resolves.toBeUndefined();
    expect(applied).toEqual(['grant.changed']);
    await consumer.stop();
  });
});
