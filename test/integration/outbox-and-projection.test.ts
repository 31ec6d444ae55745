import { randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKafka,
  ensurePlatformTopics,
  ensureTopics,
  EventConsumer,
  OutboxRelay,
  kafkaConnectionFromEnv,
} from '@renkei/kafka';
import { asJson, createPrisma, PrismaOutboxStore, type PrismaClient } from '@renkei/persistence';
import { freshDatabase } from '../support/database.js';

const root = new URL('../..', import.meta.url).pathname;
const logger = pino({ level: 'silent' });

describe('transactional outbox and event projection on real PostgreSQL and Kafka', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let prisma: PrismaClient;
  let kafka: Kafka;
  let relay: OutboxRelay;
  const topic = `it-${randomBytes(4).toString('hex')}.registry.events`;

  beforeAll(async () => {
    db = await freshDatabase(root, 'outbox');
    prisma = createPrisma(db.url);
    kafka = createKafka(
      {
        brokers: process.env.KAFKA_BROKERS!.split(','),
        clientId: 'it',
        connection: kafkaConnectionFromEnv(),
      },
      logger,
    );
    await ensureTopics(kafka, [{ topic, numPartitions: 1 }]);
    relay = new OutboxRelay(kafka, new PrismaOutboxStore(prisma, 'registry'), logger, 60_000);
    await relay.start();
  });
  afterAll(async () => {
    await relay?.stop();
    await prisma?.$disconnect();
    await db?.drop();
  });

  const write = (n: number) =>
    prisma.registryOutbox.create({ data: { topic, key: 'k', value: asJson({ id: randomUUID(), n }) } });

  it('relays committed rows to Kafka in commit order and marks them sent', async () => {
    const seen: number[] = [];
    const consumer = new EventConsumer(
      kafka,
      [topic],
      (_t, e) => void seen.push((e as { n: number }).n),
      logger,
      'it-projection',
    );
    await consumer.start();
    for (let i = 0; i < 5; i++) await write(i);
    await relay.flush();
    await consumer.barrier();
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(await prisma.registryOutbox.count({ where: { sentAt: null } })).toBe(0);
    await consumer.stop();
  });

  it('has the caller’s rows on Kafka when flush resolves, even if a drain was already running', async () => {
    // A drain that has already read the outbox is held open while another caller commits and flushes.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let readOnce = false;
    const store = new PrismaOutboxStore(prisma, 'registry');
    const gated = new OutboxRelay(
      kafka,
      {
        withUnsent: (limit, work) =>
          store.withUnsent(limit, async (rows) => {
            if (!readOnce) {
              readOnce = true;
              await held;
            }
            await work(rows);
          }),
      },
      logger,
      60_000,
    );
    await gated.start();
    await write(99);
    const earlier = gated.flush(); // reads row 99, then waits
    await new Promise((r) => setTimeout(r, 200));
    const row = await write(100); // committed after the running drain read the outbox
    const mine = gated.flush();
    release();
    await expect(mine).resolves.toBe(true);
    expect((await prisma.registryOutbox.findUniqueOrThrow({ where: { id: row.id } })).sentAt).not.toBeNull();
    await earlier;
    await gated.stop();
  });

  it('never relays a row whose transaction rolled back', async () => {
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.registryOutbox.create({
          data: { topic, key: 'k', value: asJson({ id: randomUUID(), n: 999 }) },
        });
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    await relay.flush();
    const seen: number[] = [];
    const replay = new EventConsumer(
      kafka,
      [topic],
      (_t, e) => void seen.push((e as { n: number }).n),
      logger,
      'it-replay',
    );
    await replay.start();
    expect(seen).not.toContain(999);
    await replay.stop();
  });

  it('rebuilds the same projection by replay, and barrier() waits for events appended before it', async () => {
    const first: number[] = [];
    const a = new EventConsumer(
      kafka,
      [topic],
      (_t, e) => void first.push((e as { n: number }).n),
      logger,
      'it-a',
    );
    await a.start();
    await write(42);
    await relay.flush();
    await a.barrier();
    expect(first.at(-1)).toBe(42);
    const second: number[] = [];
    const b = new EventConsumer(
      kafka,
      [topic],
      (_t, e) => void second.push((e as { n: number }).n),
      logger,
      'it-b',
    );
    await b.start();
    expect(second).toEqual(first);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('keeps unsent rows when Kafka refuses them, and sends them later (nothing lost)', async () => {
    const missingTopic = `${topic}.missing`;
    await prisma.registryOutbox.create({
      data: { topic: missingTopic, key: 'k', value: asJson({ id: randomUUID(), n: 7 }) },
    });
    await expect(relay.flush()).resolves.toBe(false); // the commit stands; the row waits in the outbox
    expect(await prisma.registryOutbox.count({ where: { sentAt: null, topic: missingTopic } })).toBe(1);
    await ensureTopics(kafka, [{ topic: missingTopic, numPartitions: 1 }]);
    await relay.flush();
    expect(await prisma.registryOutbox.count({ where: { sentAt: null } })).toBe(0);
    const admin = new Kafka({
      brokers: process.env.KAFKA_BROKERS!.split(','),
      logLevel: logLevel.NOTHING,
      ...kafkaConnectionFromEnv(),
    }).admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(missingTopic);
    await admin.disconnect();
    expect(offsets[0]?.high).toBe('1');
  });

  it('creates the platform event topics with one partition and no retention limit, whoever starts first', async () => {
    const previous = process.env.TOPIC_PREFIX;
    process.env.TOPIC_PREFIX = `it-${randomBytes(4).toString('hex')}`;
    try {
      await ensurePlatformTopics(kafka);
      await ensurePlatformTopics(kafka); // idempotent
      const admin = kafka.admin();
      await admin.connect();
      const topic = `${process.env.TOPIC_PREFIX}.registry.events`;
      const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
      });
      await admin.disconnect();
      expect(meta?.partitions).toHaveLength(1);
      expect(resources[0]?.configEntries.find((e) => e.configName === 'retention.ms')?.configValue).toBe(
        '-1',
      );
    } finally {
      process.env.TOPIC_PREFIX = previous;
    }
  });
});
