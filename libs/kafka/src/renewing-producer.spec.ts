import type { Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { renewingProducer } from './renewing-producer.js';

/** Producers whose connect and send the test controls; each knows whether it was disconnected. */
function producers(behaviour: (n: number) => { connect: 'ok' | 'fail' | 'hang'; send?: 'ok' | 'fail' }) {
  const made: { n: number; sends: number; disconnected: boolean }[] = [];
  const create = () => {
    const n = made.length;
    const state = { n, sends: 0, disconnected: false };
    made.push(state);
    const b = behaviour(n);
    return {
      connect: () =>
        b.connect === 'ok'
          ? Promise.resolve()
          : b.connect === 'fail'
            ? Promise.reject(new Error('Broker not connected'))
            : new Promise<void>(() => undefined),
      send: (_record: ProducerRecord) => {
        state.sends++;
        return b.send === 'fail'
          ? Promise.reject(new Error('send failed'))
          : Promise.resolve<RecordMetadata[]>([
              { topicName: 't', partition: 0, errorCode: 0, baseOffset: String(n) },
            ]);
      },
      disconnect: () => {
        state.disconnected = true;
        return Promise.resolve();
      },
    } as unknown as Producer;
  };
  return { create, made };
}

const warnings: string[] = [];
const logger = { warn: (_context: object, message: string) => void warnings.push(message) };
const record: ProducerRecord = { topic: 't', messages: [{ value: 'v' }] };

describe('renewingProducer', () => {
  it('retires a producer whose connect fails ("Broker not connected"); the next send uses a new one', async () => {
    const { create, made } = producers((n) => (n === 0 ? { connect: 'fail' } : { connect: 'ok' }));
    const producer = renewingProducer(create, logger, 1_000);
    await expect(producer.send(record)).rejects.toThrow('Broker not connected');
    const [metadata] = await producer.send(record);
    expect(metadata!.baseOffset).toBe('1');
    expect(made.map((m) => m.disconnected)).toEqual([true, false]);
  });

  it('retires a producer whose connect hangs (a silent seed broker) after stallMs', async () => {
    const { create, made } = producers((n) => (n === 0 ? { connect: 'hang' } : { connect: 'ok' }));
    const producer = renewingProducer(create, logger, 50);
    const first = producer.send(record);
    first.catch(() => undefined);
    // The second send does not wait for the first's hung connect beyond stallMs.
    const [metadata] = await producer.send(record);
    expect(metadata!.baseOffset).toBe('1');
    expect(made[0]!.sends).toBe(0);
    expect(made[0]!.disconnected).toBe(true);
  });

  it('keeps a producer whose sends succeed', async () => {
    const { create, made } = producers(() => ({ connect: 'ok', send: 'ok' }));
    const producer = renewingProducer(create, logger, 1_000);
    for (let i = 0; i < 3; i++) await producer.send(record);
    expect(made).toHaveLength(1);
    expect(made[0]!.sends).toBe(3);
  });

  it('retires a producer whose send failed: its sequence numbers are never reused', async () => {
    const { create, made } = producers((n) => ({ connect: 'ok', send: n === 0 ? 'fail' : 'ok' }));
    const producer = renewingProducer(create, logger, 1_000);
    await expect(producer.send(record)).rejects.toThrow('send failed');
    await producer.send(record);
    expect(made.map((m) => m.sends)).toEqual([1, 1]);
  });
});
