/**
 * One oversized event must not wedge event propagation for everyone. Before, a registry event Kafka
 * refused was retried forever and every later registry event (logins of new participants, an admin's
 * suspension) queued behind it. Here a contract is accepted whose event the registry topic refuses, and
 * the suspension that follows still reaches the exchange; the parked event is visible to operators
 * (/metrics) and to compliance (audit chain). An event larger than the platform's limit is refused at
 * the API instead, naming the limit.
 */
import { ConfigResourceTypes } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, kafkaConnectionFromEnv } from '@renkei/kafka';
import { RenkeiClient, RenkeiError } from '@renkei/sdk';
import { batteryCfpContract, cellMaker, complianceOffice } from '../fixtures/battery-cfp.js';
import { eventually } from '../support/eventually.js';
import { expectProblem } from '../support/problems.js';
import { participantKey, publicJwk, startTestPlatform, type TestPlatform } from '../support/test-platform.js';

/** The registry's event limit for this run, and the registry topic's own (smaller) Kafka limit. */
const EVENT_LIMIT = 100_000;
const TOPIC_LIMIT = 40_000;

/** A contract whose schema carries about `bytes` of property descriptions. */
function bulkyContract(dataset: string, bytes: number) {
  const count = 40;
  const description = 'Measured per lot under the consortium method. '.repeat(Math.ceil(bytes / count / 46));
  const properties: Record<string, unknown> = { lotId: { type: 'string' } };
  for (let i = 0; i < count; i++)
    properties[`m${i}`] = { type: 'number', description: description.slice(0, Math.floor(bytes / count)) };
  return {
    ...batteryCfpContract,
    dataset,
    fields: {},
    schema: { type: 'object', required: ['lotId'], additionalProperties: false, properties },
  };
}

describe('a poison event in the registry outbox does not block the events behind it', () => {
  let env: TestPlatform;
  let cell: RenkeiClient;
  let compliance: RenkeiClient;
  let cellId: string;
  let publishToken: string;
  const lot = (n: number) => ({
    subject: `lot-${n}`,
    payload: { lotId: `lot-${n}`, cellModel: 'KCW-NMC811-50Ah', cfpKgCo2ePerKwh: 61 },
  });

  beforeAll(async () => {
    env = await startTestPlatform('sec-outbox', 4341);
    await env.platform.restart('registry', 'SIGTERM', { OUTBOX_MAX_EVENT_BYTES: String(EVENT_LIMIT) });
    const [cellKey, complianceKey] = [await participantKey('cell-1'), await participantKey('co-1')];
    const [c, co] = await Promise.all([
      env.admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(cellKey)] } }),
      env.admin.onboard({ ...complianceOffice, jwks: { keys: [publicJwk(complianceKey)] } }),
    ]);
    cellId = c.id;
    cell = new RenkeiClient(env.platform.endpoints, { clientId: c.id, privateJwk: cellKey });
    compliance = new RenkeiClient(env.platform.endpoints, { clientId: co.id, privateJwk: complianceKey });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('publishes normally first (the legitimate path)', async () => {
    await cell.registerContract(batteryCfpContract);
    publishToken = await cell.datasetToken('battery.cfp', 'publish');
    expect((await cell.publish('battery.cfp', publishToken, [lot(1)])).accepted).toBe(1);
  });

  it('refuses at the API a contract whose event would exceed the limit, naming the limit', async () => {
    const error = await expectProblem(
      cell.registerContract(bulkyContract('battery.too-large', 2 * EVENT_LIMIT)),
      422,
      'EVENT.TOO_LARGE',
    );
    expect(error.problem.errors).toEqual([
      expect.objectContaining({ path: '/schema', limit: String(EVENT_LIMIT - 16 * 1024) }),
    ]);
    expect(error.detail).toContain(`the limit is ${EVENT_LIMIT - 16 * 1024} bytes`);
    // Nothing half-done: the refused contract does not exist.
    await expectProblem(cell.contract('battery.too-large'), 404, 'CONTRACT.NOT_FOUND');
  });

  it('still delivers a suspension queued behind an event Kafka refuses', async () => {
    // The registry topic takes at most TOPIC_LIMIT bytes per message: the next contract event is poison.
    const kafka = createKafka(
      {
        brokers: process.env.KAFKA_BROKERS!.split(','),
        clientId: 'sec-outbox',
        connection: kafkaConnectionFromEnv(),
      },
      pino({ level: 'silent' }),
    );
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: `${env.topicPrefix}.registry.events`,
            configEntries: [{ name: 'max.message.bytes', value: String(TOPIC_LIMIT) }],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    const huge = await cell.registerContract(bulkyContract('battery.bulk', 2 * TOPIC_LIMIT));
    expect(huge).toMatchObject({ dataset: 'battery.bulk', status: 'active' });

    await env.admin.suspendParticipant(cellId);

    // The exchange learns of the suspension over Kafka: the token issued before it stops working.
    const refused = await eventually(
      () =>
        cell.publish('battery.cfp', publishToken, [lot(2)]).then(
          () => null,
          (e: unknown) => e as RenkeiError,
        ),
      (e) => e !== null,
      15_000,
      200,
    );
    expect(refused).toBeInstanceOf(RenkeiError);
    expect({ status: refused!.status, code: refused!.code }).toEqual({
      status: 403,
      code: 'SUBJECT.NOT_ACTIVE',
    });
  });

  it('shows the parked event to operators and to compliance, without its payload', async () => {
    const metrics = await (await fetch(`${env.platform.endpoints.registry}/metrics`)).text();
    expect(metrics).toMatch(
      /renkei_outbox_dead_letters_total\{service="registry",reason="MESSAGE_TOO_LARGE"\} 1/,
    );

    const entries = await eventually(
      () => compliance.auditEntries({ kind: 'outbox.dead-letter' }),
      (page) => page.items.length > 0,
    );
    expect(entries.items).toHaveLength(1);
    const record = JSON.stringify(entries.items[0]);
    expect(entries.items[0]).toMatchObject({ kind: 'outbox.dead-letter', actor: 'renkei-registry' });
    expect(record).toContain('"eventType":"contract.published"');
    expect(record).toContain('"reason":"MESSAGE_TOO_LARGE"');
    expect(record).not.toContain('Measured per lot');
  });
});
