/**
 * Kafka transport security and least privilege (ADR 0035), on a real broker with SASL_SSL and the KRaft
 * StandardAuthorizer: a client without credentials cannot connect, a service's principal cannot read or
 * write a data topic it has no ACL for (only the exchange writes and reads data), and the platform runs
 * end to end with each service logged in as its own principal: publish → Kafka → subscribe.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicsFor } from '@renkei/domain';
import { aclEntries, platformAccessRules, provisionKafka, type KafkaConnection } from '@renkei/kafka';
import { RenkeiClient, type StreamLine } from '@renkei/sdk';
import { secureKafka, type SecureKafka } from '../support/secure-kafka.js';
import { participantKey, publicJwk, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { automaker, batteryCfpContract, cellMaker } from '../fixtures/battery-cfp.js';

let broker: SecureKafka;
const prefix = `acl-${randomBytes(3).toString('hex')}`;
const topics = topicsFor(prefix);
const dataTopic = topics.data('battery.cfp');

/** A client with few retries: a refusal (not retriable in kafkajs) is the answer at once. */
const client = (connection: KafkaConnection, extra: Partial<KafkaConfig> = {}) =>
  new Kafka({
    clientId: 'acl-test',
    brokers: broker.brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    authenticationTimeout: 5_000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
    ...connection,
    ...extra,
  });

/** The error kafkajs reports for `action` (its type, e.g. TOPIC_AUTHORIZATION_FAILED, or its name). */
async function refusal(action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
  } catch (error) {
    const e = error as {
      type?: string;
      name?: string;
      cause?: { type?: string };
      errors?: { type?: string }[];
    };
    return e.type ?? e.cause?.type ?? e.errors?.[0]?.type ?? e.name ?? String(error);
  }
  return 'allowed';
}

async function readOne(kafka: Kafka, topic: string, groupId: string): Promise<string> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nothing read from ${topic}`)), 15_000);
      // A retriable crash (a coordinator still loading on a fresh broker) restarts the consumer by itself.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart) return;
        clearTimeout(timer);
        reject(payload.error);
      });
      void consumer.run({
        eachMessage: ({ message }) => {
          clearTimeout(timer);
          resolve(message.value?.toString() ?? '');
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

beforeAll(() => {
  broker = secureKafka();
});

afterAll(() => {
  broker?.stop();
});

describe('Kafka over SASL_SSL with ACLs per service principal', () => {
  beforeAll(async () => {
    await provisionKafka(client(broker.connection('admin')), prefix);
    // The exchange creates its data topic, as it does when a contract is registered.
    const admin = client(broker.connection('exchange')).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: dataTopic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
  });

  it('refuses a client without credentials: no TLS, TLS without a login, or a wrong password', async () => {
    const plain = client({}).admin();
    expect(await refusal(() => plain.connect().then(() => plain.fetchTopicOffsets(dataTopic)))).not.toBe(
      'allowed',
    );
    await plain.disconnect();
    const anonymous = client(broker.tlsOnly()).admin();
    expect(
      await refusal(() => anonymous.connect().then(() => anonymous.fetchTopicOffsets(dataTopic))),
    ).not.toBe('allowed');
    await anonymous.disconnect();
    const guessed = client(broker.connection('exchange', 'not-the-password')).producer();
    expect(await refusal(() => guessed.connect())).toMatch(/SASL|AUTHENTICATION/i);
    await guessed.disconnect();
  });

  it("lets only the exchange write and read a data topic; another service's principal gets TOPIC_AUTHORIZATION_FAILED", async () => {
    const exchange = client(broker.connection('exchange'), { retry: { retries: 8 } });
    const producer = exchange.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const id = randomUUID();
    await producer.send({ topic: dataTopic, acks: -1, messages: [{ value: JSON.stringify({ id }) }] });
    await producer.disconnect();
    const feed = `${dataTopic}.feed.${randomUUID()}`;
    expect(JSON.parse(await readOne(exchange, dataTopic, feed))).toEqual({ id });
    // The exchange deletes a dataset's shared feed group once its last stream closes (topic-feed.ts).
    const admin = exchange.admin();
    await admin.connect();
    await admin.deleteGroups([feed]);
    await admin.disconnect();

    for (const principal of ['registry', 'clearing']) {
      const other = client(broker.connection(principal));
      // Reading: even the topic's metadata is refused (a group it might use would be refused too).
      expect(await refusal(() => readOne(other, dataTopic, `${dataTopic}.feed.${randomUUID()}`))).toBe(
        'TOPIC_AUTHORIZATION_FAILED',
      );
      const writer = other.producer();
      await writer.connect();
      expect(
        await refusal(() => writer.send({ topic: dataTopic, messages: [{ value: '{"forged":true}' }] })),
        `${principal} writing ${dataTopic}`,
      ).toBe('TOPIC_AUTHORIZATION_FAILED');
      await writer.disconnect();
    }
  });

  it("keeps each outbox topic to its owner: the exchange cannot write the registry's or clearing's events", async () => {
    const writer = client(broker.connection('exchange')).producer();
    await writer.connect();
    for (const topic of [topics.registryEvents, topics.clearingEvents, topics.auditCheckpoints])
      expect(await refusal(() => writer.send({ topic, messages: [{ value: '{}' }] })), topic).toBe(
        'TOPIC_AUTHORIZATION_FAILED',
      );
    await writer.disconnect();
    const registry = client(broker.connection('registry')).producer();
    await registry.connect();
    await registry.send({ topic: topics.registryEvents, acks: -1, messages: [{ value: '{}' }] });
    await registry.disconnect();
  });

  it('provisions idempotently: the ACLs for the prefix are exactly the rules, once', async () => {
    const admin = client(broker.connection('admin'));
    await provisionKafka(admin, prefix);
    const a = admin.admin();
    await a.connect();
    const { resources } = await a.describeAcls({
      resourceType: 1, // ANY
      resourcePatternType: 1, // ANY
      operation: 1,
      permissionType: 1,
      resourceName: undefined,
      principal: undefined,
      host: undefined,
    });
    await a.disconnect();
    const ours = resources
      .filter((r) => r.resourceName.startsWith(`${prefix}.`))
      .flatMap((r) => r.acls.map((acl) => `${r.resourceName}|${acl.principal}|${acl.operation}`));
    const expected = aclEntries(platformAccessRules(prefix))
      .filter((e) => e.resourceName.startsWith(`${prefix}.`))
      .map((e) => `${e.resourceName}|${e.principal}|${e.operation}`);
    expect(ours.sort()).toEqual(expected.sort());
  });
});

describe('the platform end to end over SASL_SSL, each service as its own principal', () => {
  let env: TestPlatform;
  const saved: Record<string, string | undefined> = {};
  const keys: Record<string, JWK> = {};

  beforeAll(async () => {
    // The harness provisions the deployment's ACLs as admin and logs each service in as itself.
    const admin = broker.env('admin');
    for (const [k, v] of Object.entries(admin)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    env = await startTestPlatform('security-kafka-acls', 4641);
  });

  afterAll(async () => {
    await env?.stop();
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });

  it('publishes and delivers through the exchange: accepted events reach the subscriber', async () => {
    keys.cell = await participantKey('cell-key-1');
    keys.auto = await participantKey('auto-key-1');
    const [c, a] = await Promise.all([
      env.admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(keys.cell)] } }),
      env.admin.onboard({ ...automaker, jwks: { keys: [publicJwk(keys.auto)] } }),
    ]);
    const cell = new RenkeiClient(env.platform.endpoints, { clientId: c.id, privateJwk: keys.cell });
    const auto = new RenkeiClient(env.platform.endpoints, { clientId: a.id, privateJwk: keys.auto });
    await cell.registerContract(batteryCfpContract);
    const grant = await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' });
    await cell.approveGrant(grant.id);
    const published = await cell.publish('battery.cfp', await cell.datasetToken('battery.cfp', 'publish'), [
      { subject: 'lot-1', payload: { lotId: 'lot-1', cellModel: 'KCW-NMC811-50Ah', cfpKgCo2ePerKwh: 61.5 } },
      { subject: 'lot-2', payload: { lotId: 'lot-2', cellModel: 'KCW-NMC811-50Ah', cfpKgCo2ePerKwh: 58.2 } },
    ]);
    expect(published.accepted).toBe(2);
    const stream = await auto.stream(
      'battery.cfp',
      await auto.datasetToken('battery.cfp', 'subscribe', grant.id),
    );
    const seen: string[] = [];
    const deadline = Date.now() + 20_000;
    try {
      while (seen.length < 2 && Date.now() < deadline) {
        const line: StreamLine | null = await stream.read(deadline - Date.now());
        if (!line || line.type === 'end') break;
        if (line.type === 'event') seen.push(line.event.id);
      }
    } finally {
      stream.close();
    }
    expect(seen.sort()).toEqual([...published.eventIds].sort());
  });
});
