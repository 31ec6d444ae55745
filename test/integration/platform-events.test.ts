import { randomBytes } from 'node:crypto';
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { register } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlatformProjection, type GrantChangedEvent, type GrantView } from '@renkei/domain';
import { createKafka, ensureTopics, PlatformEventServer, kafkaConnectionFromEnv } from '@renkei/kafka';

const logger = pino({ level: 'silent' });
const state = new PlatformProjection();

@Controller()
class GrantHandlers {
  @EventPattern('grant.changed')
  grantChanged(@Payload() event: GrantChangedEvent): void {
    state.apply(event);
  }
}

const grant = (state: GrantView['state']): GrantView => ({
  id: 'a1b2c3d4-0000-4000-8000-000000000001',
  state,
  originator: 'o',
  consumer: 'c',
  dataset: 'battery.cfp',
  purpose: 'carbon-footprint',
  fields: null,
  validFrom: '2026-12-01T00:00:00.000Z',
  validUntil: null,
  changedAt: '2026-12-02T06:00:00.000Z',
});
const changed = (s: GrantView['state']) =>
  JSON.stringify({ type: 'grant.changed', grant: grant(s), actor: 'o', reason: null });

async function invalidCount(consumer: string): Promise<number> {
  const metric = await register.getSingleMetric('renkei_kafka_invalid_messages_total')?.get();
  return metric?.values.find((v) => v.labels.consumer === consumer)?.value ?? 0;
}

/**
 * The control-plane transport on a real broker: a Nest app whose @EventPattern handler is fed by
 * PlatformEventServer. Garbage on the topic is skipped and counted, and a revocation behind it is in the
 * projection when the barrier resolves.
 */
describe('platform events through the Nest transport on real Kafka', () => {
  let kafka: Kafka;
  const topic = `it-${randomBytes(4).toString('hex')}.clearing.events`;

  beforeAll(async () => {
    kafka = createKafka(
      {
        brokers: process.env.KAFKA_BROKERS!.split(','),
        clientId: 'it-pe',
        connection: kafkaConnectionFromEnv(),
      },
      logger,
    );
    await ensureTopics(kafka, [{ topic, numPartitions: 1 }]);
  });

  it('skips what does not fit, counts it, and has the revocation behind it applied when the barrier resolves', async () => {
    const server = new PlatformEventServer(kafka, [topic], logger, 'it-platform-events');
    const module = await Test.createTestingModule({ controllers: [GrantHandlers] })
      .setLogger({ log() {}, error() {}, warn() {} })
      .compile();
    const app = module.createNestMicroservice({ strategy: server });
    await app.listen();
    await server.start();
    const before = await invalidCount('it-platform-events');
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: [
          { value: changed('granted') },
          { value: Buffer.from([0xff, 0xfe]) },
          { value: '{"type":"grant.changed","grant":{"id":"x","state":"paused"}}' },
          { value: '{"type":"no.such.event"}' },
          { value: changed('revoked') },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    await server.barrier();
    expect(state.grants.get(grant('revoked').id)?.state).toBe('revoked');
    expect(state.grants.has('x')).toBe(false);
    expect(await invalidCount('it-platform-events')).toBe(before + 3);
    await app.close();
  });
});
