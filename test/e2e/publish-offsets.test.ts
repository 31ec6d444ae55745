/**
 * Where a publication's events landed, as the exchange reports it (partition:baseOffset per partition
 * written), checked on the broker itself while many publications of different sizes share produce
 * requests; and the limits around it: positions that do not exist, batches too big for one partition.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaConnectionFromEnv } from '@renkei/kafka';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient } from '@renkei/sdk';
import { expectProblem } from '../support/problems.js';
import {
  participantKey as newKey,
  publicJwk,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import { automaker, batteryCfpContract, cellMaker } from '../fixtures/battery-cfp.js';

type Placement = { partition: number; baseOffset: string }[];

let env: TestPlatform;

/** Reads a topic from the beginning until every id is seen: id -> partition:offset. */
async function positionsOf(topic: string, ids: Set<string>, timeoutMs = 30_000) {
  const kafka = new Kafka({
    brokers: process.env.KAFKA_BROKERS!.split(','),
    clientId: 'e2e-offsets',
    logLevel: logLevel.NOTHING,
    ...kafkaConnectionFromEnv(),
  });
  const consumer = kafka.consumer({ groupId: `e2e-offsets-${randomUUID()}` });
  await consumer.connect();
  const found = new Map<string, { partition: number; offset: string }>();
  const at = new Map<string, string>();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${topic}: ${found.size} of ${ids.size} events found`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: ({ partition, message }) => {
          if (message.value) {
            const { id } = JSON.parse(message.value.toString()) as { id: string };
            at.set(`${partition}:${message.offset}`, id);
            if (ids.has(id)) found.set(id, { partition, offset: message.offset });
          }
          if (found.size === ids.size) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return { found, at };
}

describe('publish placements and stream positions', () => {
  let cell: RenkeiClient;
  let auto: RenkeiClient;
  let publishToken: string;
  const keys: Record<string, JWK> = {};

  beforeAll(async () => {
    env = await startTestPlatform('e2e-offsets', 4281);
    keys.cell = await newKey('cell-key-1');
    keys.auto = await newKey('auto-key-1');
    const [c, a] = await Promise.all([
      env.admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(keys.cell)] } }),
      env.admin.onboard({ ...automaker, jwks: { keys: [publicJwk(keys.auto)] } }),
    ]);
    cell = new RenkeiClient(env.platform.endpoints, { clientId: c.id, privateJwk: keys.cell });
    auto = new RenkeiClient(env.platform.endpoints, { clientId: a.id, privateJwk: keys.auto });
    await cell.registerContract(batteryCfpContract);
    publishToken = await cell.datasetToken('battery.cfp', 'publish');
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('reports, for every concurrent publication, the offsets of its own first event per partition', async () => {
    const batches = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 1 + ((b * 7) % 23) }, (_, i) => ({
        id: randomUUID(),
        subject: `lot-${b}-${i % 5}`,
        payload: {
          lotId: `lot-${b}-${i % 5}`,
          // Sizes vary from a few bytes to several kilobytes per event.
          cellModel: 'x'.repeat(((b * 13 + i * 31) % 17) * 500),
          cfpKgCo2ePerKwh: b + i / 100,
        },
      })),
    );
    const results = await Promise.all(
      batches.map(
        (events) =>
          cell.publish('battery.cfp', publishToken, events) as Promise<
            Awaited<ReturnType<RenkeiClient['publish']>> & { partitions: Placement }
          >,
      ),
    );
    const ids = new Set(batches.flat().map((e) => e.id));
    const { found, at } = await positionsOf(`${env.topicPrefix}.data.battery.cfp`, ids);
    results.forEach((result, b) => {
      expect(result.eventIds).toEqual(batches[b]!.map((e) => e.id));
      // The publication's own first event on each partition it wrote, in its order.
      const firstOn = new Map<number, string>();
      for (const id of result.eventIds) {
        const where = found.get(id)!;
        if (!firstOn.has(where.partition)) firstOn.set(where.partition, id);
      }
      expect(result.partitions.map((p) => p.partition)).toEqual([...firstOn.keys()].sort((x, y) => x - y));
      for (const { partition, baseOffset } of result.partitions) {
        expect(at.get(`${partition}:${baseOffset}`), `batch ${b} at ${partition}:${baseOffset}`).toBe(
          firstOn.get(partition),
        );
      }
    });
  });

  it('refuses ?after= positions that do not exist on the topic', async () => {
    const grant = await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' });
    await cell.approveGrant(grant.id);
    const token = await auto.datasetToken('battery.cfp', 'subscribe', grant.id);
    const bogusPartition = await expectProblem(
      auto.stream('battery.cfp', token, { after: { 97: '0' } }),
      400,
      'STREAM.INVALID_POSITION',
    );
    expect(bogusPartition.problem.errors).toEqual([expect.objectContaining({ path: '/after' })]);
    await expectProblem(
      auto.stream('battery.cfp', token, { after: { 0: '999999999' } }),
      400,
      'STREAM.INVALID_POSITION',
    );
    const duplicate = await fetch(
      `${env.platform.endpoints.exchange}/datasets/battery.cfp/stream?after=0:1,0:2`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(duplicate.status).toBe(400);
    expect(await duplicate.json()).toMatchObject({ code: 'STREAM.INVALID_POSITION' });
  });

  it('refuses a batch whose events for one partition exceed what Kafka takes in one request', async () => {
    const events = Array.from({ length: 10 }, () => ({
      subject: 'lot-big',
      payload: { lotId: 'lot-big', cellModel: 'y'.repeat(100_000), cfpKgCo2ePerKwh: 1 },
    }));
    const error = await expectProblem(
      cell.publish('battery.cfp', publishToken, events),
      400,
      'PUBLISH.BATCH_TOO_LARGE',
    );
    expect(error.problem.errors).toEqual([expect.objectContaining({ path: '/events' })]);
  });
});
