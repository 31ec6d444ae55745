import { randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { Kafka, logLevel } from 'kafkajs';
import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKafka,
  ensureTopics,
  EventConsumer,
  OutboxRelay,
  type DeadLetter,
  kafkaConnectionFromEnv,
} from '@renkei/kafka';
import { asJson, createPrisma, PrismaOutboxStore, type PrismaClient } from '@renkei/persistence';
import { appendClearingDeadLetters } from '../../apps/clearing/src/audit/dead-letters.js';
import { freshDatabase } from '../support/database.js';

const root = new URL('../..', import.meta.url).pathname;
const logger = pino({ level: 'silent' });

async function deadLetterCount(service: string, reason: string): Promise<number> {
  const metric = await register.getSingleMetric('renkei_outbox_dead_letters_total')?.get();
  return metric?.values.find((v) => v.labels.service === service && v.labels.reason === reason)?.value ?? 0;
}

/**
 * A poison message (an event Kafka refuses) used to be retried forever with every later event stuck
 * behind it. These tests put real poison rows into real outboxes and prove the rows behind them are
 * delivered, in order, and that the parked row is visible: dead-letter table, metric and audit chain.
 */
describe('outbox poison messages on real PostgreSQL and Kafka', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let prisma: PrismaClient;
  let kafka: Kafka;
  const run = randomBytes(4).toString('hex');
  // Kafka refuses records above the topic's max.message.bytes with MESSAGE_TOO_LARGE: a true poison.
  const small = `it-${run}.small-limit`;

  beforeAll(async () => {
    db = await freshDatabase(root, 'outbox-dl');
    prisma = createPrisma(db.url);
    kafka = createKafka(
      {
        brokers: process.env.KAFKA_BROKERS!.split(','),
        clientId: 'it-dl',
        connection: kafkaConnectionFromEnv(),
      },
      logger,
    );
    await ensureTopics(kafka, [
      { topic: small, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '10000' }] },
    ]);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  const readAll = async (topic: string) => {
    const seen: { n: number }[] = [];
    const consumer = new EventConsumer(
      kafka,
      [topic],
      (_t, e) => void seen.push(e as { n: number }),
      logger,
      `it-dl-${randomUUID()}`,
    );
    await consumer.start();
    await consumer.stop();
    return seen.map((e) => e.n);
  };

  it('parks an event Kafka refuses as too large, delivers the ones behind it, and leaves a trace', async () => {
    const announced: DeadLetter[] = [];
    const relay = new OutboxRelay(
      kafka,
      new PrismaOutboxStore(prisma, 'registry', (_tx, letters) =>
        Promise.resolve(void announced.push(...letters)),
      ),
      logger,
      60_000,
      { service: 'it-registry' },
    );
    await relay.start();
    try {
      const before = await deadLetterCount('it-registry', 'MESSAGE_TOO_LARGE');
      const write = (n: number, pad = 0) =>
        prisma.registryOutbox.create({
          data: {
            topic: small,
            key: 'k',
            value: asJson({ id: randomUUID(), type: 'it.event', n, pad: 'x'.repeat(pad) }),
          },
        });
      // The legitimate path first: small events flow.
      await write(1);
      expect(await relay.flush()).toBe(true);
      const poison = await write(2, 50_000);
      await write(3);
      await write(4);

      expect(await relay.flush()).toBe(true);

      expect(await readAll(small)).toEqual([1, 3, 4]);
      expect(await prisma.registryOutbox.count({ where: { sentAt: null } })).toBe(0);
      const parked = await prisma.registryOutboxDeadLetter.findMany();
      expect(parked).toHaveLength(1);
      expect(parked[0]).toMatchObject({
        id: poison.id,
        topic: small,
        reason: 'MESSAGE_TOO_LARGE',
        attempts: 1,
      });
      expect(parked[0]!.sizeBytes).toBeGreaterThan(50_000);
      expect(parked[0]!.error).toMatch(/larger than the max message size/i);
      expect(announced.map((l) => l.row.id)).toEqual([poison.id]);
      expect(await deadLetterCount('it-registry', 'MESSAGE_TOO_LARGE')).toBe(before + 1);
    } finally {
      await relay.stop();
    }
  });

  it('parks an event that keeps failing past the attempt limit, and only then lets the next one go', async () => {
    // A topic that does not exist (auto-creation is off): Kafka answers UNKNOWN_TOPIC_OR_PARTITION, which
    // is retriable, so the row is retried a few times before it is parked. Few client retries, to be quick.
    const fast = new Kafka({
      clientId: 'it-dl-fast',
      brokers: process.env.KAFKA_BROKERS!.split(','),
      logLevel: logLevel.NOTHING,
      ...kafkaConnectionFromEnv(),
      retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 200 },
    });
    const relay = new OutboxRelay(
      fast,
      new PrismaOutboxStore(prisma, 'clearing', appendClearingDeadLetters),
      logger,
      60_000,
      {
        service: 'it-clearing',
        maxAttempts: 3,
      },
    );
    await relay.start();
    try {
      const missing = await prisma.clearingOutbox.create({
        data: {
          topic: `it-${run}.missing`,
          key: 'k',
          value: asJson({ id: randomUUID(), type: 'grant.changed', n: 1 }),
        },
      });
      await prisma.clearingOutbox.create({
        data: { topic: small, key: 'k', value: asJson({ id: randomUUID(), type: 'it.event', n: 5 }) },
      });

      // Retriable: the row holds its place (order is kept) and its attempts are counted.
      expect(await relay.flush()).toBe(false);
      expect(await relay.flush()).toBe(false);
      expect((await prisma.clearingOutbox.findUniqueOrThrow({ where: { id: missing.id } })).attempts).toBe(2);
      expect(await prisma.clearingOutboxDeadLetter.count()).toBe(0);

      expect(await relay.flush()).toBe(true);
      const parked = await prisma.clearingOutboxDeadLetter.findUniqueOrThrow({ where: { id: missing.id } });
      expect(parked).toMatchObject({ reason: 'ATTEMPTS_EXHAUSTED', attempts: 3 });
      expect(await readAll(small)).toContain(5);

      // Compliance sees it on the audit chain: which event, why, how big, never the payload.
      const entries = await prisma.auditEntry.findMany({ where: { kind: 'outbox.dead-letter' } });
      expect(entries).toHaveLength(1);
      expect(entries[0]!.payload).toMatchObject({
        service: 'clearing',
        outboxId: missing.id.toString(),
        eventType: 'grant.changed',
        reason: 'ATTEMPTS_EXHAUSTED',
        attempts: 3,
      });
      expect(JSON.stringify(entries[0]!.payload)).not.toContain('"n"');
    } finally {
      await relay.stop();
    }
  });
});
