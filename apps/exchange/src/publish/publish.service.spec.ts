import type { ProducerBatch, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  FixedClock,
  PlatformProjection,
  compileContractSchema,
  type ContractTerms,
  type DataEnvelope,
  type DecisionRecordInput,
  type PayloadValidator,
} from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import { GroupedProducer } from '@renkei/kafka';
import {
  explainedDecision,
  noObligations,
  PolicyGate,
  type PolicyDecision,
  type PolicyEngine,
  type PolicyInput,
} from '@renkei/policy';
import type { ContractCatalog } from '../contracts/contract-catalog.js';
import { batteryContract, member } from '../exchange.fixtures.js';
import type { Protection } from '../protection/protection.js';
import type { DataTopics } from '../topics/data-topics.js';
import { PublishService } from './publish.service.js';

const now = new Date('2026-12-01T09:00:00.000Z');

const contract = (overrides: Partial<ContractTerms> = {}): ContractTerms =>
  batteryContract({
    schema: {
      type: 'object',
      properties: { lotId: { type: 'string' }, cfp: { type: 'number' } },
      required: ['lotId'],
    },
    ...overrides,
  });

function projection(): PlatformProjection {
  const state = new PlatformProjection();
  state.apply(member('cell', 'battery-cells'));
  return state;
}

/** An in-memory catalog; a contract in `late` appears only after a barrier that starts now. */
function fakeCatalog(
  contracts: ContractTerms[],
  late: ContractTerms[] = [],
): ContractCatalog & {
  arrive(): void;
} {
  const known = [...contracts];
  const validators = new Map<ContractTerms, PayloadValidator>();
  const catalog = {
    arrive: () => known.push(...late.splice(0)),
    find: (dataset: string, version?: string) =>
      known.find((c) => c.dataset === dataset && (version ? c.version === version : c.status === 'active')),
    get: (dataset: string, version?: string) => {
      const c = catalog.find(dataset, version);
      if (!c) throw Object.assign(new Error('not found'), { code: 'CONTRACT.NOT_FOUND' });
      return c;
    },
    validator: (c: ContractTerms) => {
      if (!validators.has(c)) validators.set(c, compileContractSchema(c.schema));
      return validators.get(c)!;
    },
  };
  return catalog;
}

/** Kafka's side: every produce request, answered by the test (or at once with `autoAck`). */
function fakeKafka(autoAck = true) {
  const requests: {
    batch: ProducerBatch;
    answer: (r: RecordMetadata[]) => void;
    fail: (e: unknown) => void;
  }[] = [];
  const producer = {
    sendBatch: (batch: ProducerBatch) =>
      new Promise<RecordMetadata[]>((answer, fail) => {
        requests.push({ batch, answer, fail });
        if (autoAck) {
          answer(
            batch.topicMessages!.flatMap((t) =>
              [...new Set(t.messages.map((m) => m.partition ?? 0))].map((partition) => ({
                topicName: t.topic,
                partition,
                baseOffset: '40',
                errorCode: 0,
              })),
            ),
          );
        }
      }),
  };
  return { producer, requests };
}

interface Options {
  contracts?: ContractTerms[];
  late?: ContractTerms[];
  allow?: boolean;
  autoAck?: boolean;
  protect?: Protection['protect'];
}

function harness(options: Options = {}) {
  const syncs: (number | undefined)[] = [];
  const catalog = fakeCatalog(options.contracts ?? [contract()], options.late);
  const inputs: PolicyInput[] = [];
  const engine = {
    revision: 'spec-revision',
    decide: (input: PolicyInput): PolicyDecision => {
      inputs.push(input);
      return options.allow === false
        ? explainedDecision(false, ['PARTICIPANT.SUSPENDED'])
        : explainedDecision(true, [], noObligations(), input.action);
    },
  } as unknown as PolicyEngine;
  const recorded: DecisionRecordInput[] = [];
  const protection: Protection = {
    protect: options.protect ?? ((_c, _o, events) => Promise.resolve(events.map((e) => e.payload))),
    reveal: () => expect.fail('publishing decrypts nothing'),
  };
  const ensured: string[] = [];
  const topics: DataTopics = {
    ensure: (dataset) => {
      ensured.push(dataset);
      return Promise.resolve();
    },
    partitioner: () => Promise.resolve((key: string) => key.length % 3),
    offsets: () => expect.fail('publishing reads no offsets'),
  };
  const kafka = fakeKafka(options.autoAck ?? true);
  const service = new PublishService(
    (maxAgeMs) => {
      syncs.push(maxAgeMs);
      if (maxAgeMs === 0) catalog.arrive();
      return Promise.resolve();
    },
    catalog,
    new PolicyGate(engine, projection(), 'exchange'),
    {
      record: (records) => {
        recorded.push(...records);
        return Promise.resolve();
      },
    },
    protection,
    topics,
    new GroupedProducer(kafka.producer, { error: () => undefined }, { auditTopic: 'audit' }),
    new FixedClock(now),
  );
  return { service, syncs, inputs, recorded, ensured, requests: kafka.requests };
}

const publisher = (dataset = 'battery.cfp'): Principal => ({
  participantId: 'cell',
  scopes: new Set([`publish:${dataset}`]),
  claims: { dataset } as Principal['claims'],
});

const lot = (lotId: string, subject?: string) => ({
  ...(subject ? { subject } : {}),
  payload: { lotId, cfp: 61.4 },
});

/** What went to each topic, parsed. */
const sent = (batch: ProducerBatch) =>
  Object.fromEntries(batch.topicMessages!.map((t) => [t.topic, t.messages]));

describe('PublishService', () => {
  it('sends the validated, decided batch to its data topic with its decision record, and says where it landed', async () => {
    const h = harness();
    const result = await h.service.publish(publisher(), 'battery.cfp', {
      events: [lot('lot-1', 'lot-1'), lot('lot-2')],
    });
    expect(h.ensured).toEqual(['battery.cfp']);
    expect(h.requests).toHaveLength(1);
    const { 'renkei.data.battery.cfp': data, audit } = sent(h.requests[0]!.batch);
    const envelopes = data!.map((m) => JSON.parse(String(m.value)) as DataEnvelope);
    expect(envelopes.map((e) => [e.payload.lotId, e.originator, e.contractVersion, e.publishedAt])).toEqual([
      ['lot-1', 'cell', '1.0.0', now.toISOString()],
      ['lot-2', 'cell', '1.0.0', now.toISOString()],
    ]);
    // Keyed by subject (order per subject), else by event id; the partition is the partitioner's.
    expect(data!.map((m) => m.key)).toEqual(['lot-1', envelopes[1]!.id]);
    expect(data!.map((m) => m.partition)).toEqual(data!.map((m) => String(m.key).length % 3));
    expect(data![0]!.headers).toEqual({
      'renkei-event-id': envelopes[0]!.id,
      'renkei-contract-version': '1.0.0',
    });
    const record = JSON.parse(String(audit![0]!.value)) as DecisionRecordInput & { eventIds: string[] };
    expect(record).toMatchObject({
      service: 'exchange',
      action: 'publish',
      allow: true,
      policyRevision: 'spec-revision',
      eventIds: envelopes.map((e) => e.id),
    });
    expect(result).toEqual({
      accepted: 2,
      dataset: 'battery.cfp',
      contractVersion: '1.0.0',
      eventIds: envelopes.map((e) => e.id),
      partitions: [...new Set(data!.map((m) => m.partition!))]
        .sort((a, b) => a - b)
        .map((partition) => ({ partition, baseOffset: '40' })),
    });
  });

  it('answers only once Kafka has acknowledged the batch', async () => {
    const h = harness({ autoAck: false });
    let answered = false;
    const publishing = h.service.publish(publisher(), 'battery.cfp', { events: [lot('lot-1')] }).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.requests).toHaveLength(1);
    expect(answered).toBe(false);
    h.requests[0]!.answer([
      { topicName: 'renkei.data.battery.cfp', partition: 2, baseOffset: '7', errorCode: 0 },
    ]);
    await expect(publishing).resolves.toMatchObject({ accepted: 1 });
  });

  it('answers 503 KAFKA.UNAVAILABLE when Kafka refuses the batch: nothing is confirmed', async () => {
    const h = harness({ autoAck: false });
    const publishing = h.service.publish(publisher(), 'battery.cfp', { events: [lot('lot-1')] });
    await new Promise((resolve) => setImmediate(resolve));
    h.requests[0]!.fail(new Error('NOT_ENOUGH_REPLICAS'));
    await expect(publishing).rejects.toMatchObject({ kind: 'unavailable', code: 'KAFKA.UNAVAILABLE' });
  });

  it('rejects the whole batch when one payload breaks the schema, naming every failing path', async () => {
    const h = harness();
    await expect(
      h.service.publish(publisher(), 'battery.cfp', {
        events: [lot('lot-1'), { payload: { cfp: 'high' } }],
      }),
    ).rejects.toMatchObject({
      code: 'CONTRACT.SCHEMA_VIOLATION',
      details: expect.arrayContaining([
        expect.objectContaining({ path: '/events/1/payload/cfp' }),
        expect.objectContaining({ path: '/events/1/payload' }),
      ]) as unknown,
    });
    expect(h.requests).toEqual([]);
    expect(h.inputs).toEqual([]);
  });

  it('records a denial with the batch’s event ids and publishes nothing', async () => {
    const h = harness({ allow: false });
    await expect(
      h.service.publish(publisher(), 'battery.cfp', { events: [lot('lot-1'), lot('lot-2')] }),
    ).rejects.toMatchObject({ kind: 'forbidden', code: 'PARTICIPANT.SUSPENDED' });
    expect(h.recorded).toEqual([
      expect.objectContaining({
        allow: false,
        reasons: ['PARTICIPANT.SUSPENDED'],
        eventIds: expect.any(Array),
      }),
    ]);
    expect((h.recorded[0] as { eventIds: string[] }).eventIds).toHaveLength(2);
    expect(h.requests).toEqual([]);
  });

  it('takes a recent barrier for a known contract, and one that starts now for a contract registered a moment ago', async () => {
    const known = harness();
    await known.service.publish(publisher(), 'battery.cfp', { events: [lot('lot-1')] });
    expect(known.syncs).toEqual([250]);
    const late = harness({ contracts: [], late: [contract()] });
    await expect(
      late.service.publish(publisher(), 'battery.cfp', { events: [lot('lot-1')] }),
    ).resolves.toMatchObject({ accepted: 1 });
    expect(late.syncs).toEqual([250, 0]);
    const unknown = harness({ contracts: [] });
    await expect(
      unknown.service.publish(publisher(), 'battery.cfp', { events: [lot('lot-1')] }),
    ).rejects.toMatchObject({ code: 'CONTRACT.NOT_FOUND' });
  });

  it('refuses a token for another dataset before anything else happens', async () => {
    const h = harness();
    const other = { ...publisher(), claims: { dataset: 'battery.other' } as Principal['claims'] };
    await expect(h.service.publish(other, 'battery.cfp', { events: [lot('lot-1')] })).rejects.toMatchObject({
      code: 'TOKEN.INSUFFICIENT_SCOPE',
    });
    await expect(
      h.service.publish(publisher('battery.other'), 'battery.cfp', { events: [lot('lot-1')] }),
    ).rejects.toMatchObject({ code: 'TOKEN.INSUFFICIENT_SCOPE' });
    expect(h.syncs).toEqual([]);
  });

  it('publishes under published versions only: a draft or retired version is 409, a deprecated one warns', async () => {
    const versions = [
      contract({ version: '0.9.0', status: 'retired' }),
      contract({ version: '1.0.0', status: 'deprecated' }),
      contract({ version: '1.1.0', status: 'active' }),
      contract({ version: '2.0.0', status: 'draft' }),
    ];
    const h = harness({ contracts: versions });
    const under = (contractVersion: string) =>
      h.service.publish(publisher(), 'battery.cfp', { contractVersion, events: [lot('lot-1')] });
    await expect(under('2.0.0')).rejects.toMatchObject({ code: 'CONTRACT.VERSION_NOT_PUBLISHED' });
    await expect(under('0.9.0')).rejects.toMatchObject({
      code: 'CONTRACT.VERSION_RETIRED',
      hint: 'Publish under the current version 1.1.0',
    });
    await expect(under('1.0.0')).resolves.toMatchObject({
      contractVersion: '1.0.0',
      warnings: ['Version 1.0.0 is deprecated; move to 1.1.0 before it is retired'],
    });
  });

  it('sends protected fields as the protection returns them, never in the clear', async () => {
    const protectedContract = contract({ fields: { cfp: { tags: ['personal'] } } });
    const h = harness({
      contracts: [protectedContract],
      protect: (c, originator, events) => {
        expect([c, originator]).toEqual([protectedContract, 'cell']);
        return Promise.resolve(events.map((e) => ({ ...e.payload, cfp: 'ciphertext' })));
      },
    });
    await h.service.publish(publisher(), 'battery.cfp', { events: [lot('lot-1')] });
    const value = String(sent(h.requests[0]!.batch)['renkei.data.battery.cfp']![0]!.value);
    expect(JSON.parse(value)).toMatchObject({ payload: { lotId: 'lot-1', cfp: 'ciphertext' } });
    expect(value).not.toContain('61.4');
  });

  it('refuses a batch whose events for one partition exceed a Kafka record batch, publishing nothing', async () => {
    const h = harness();
    const big = 'x'.repeat(300 * 1024);
    await expect(
      h.service.publish(publisher(), 'battery.cfp', {
        events: [1, 2, 3, 4].map(() => ({ subject: 'same-lot', payload: { lotId: big } })),
      }),
    ).rejects.toMatchObject({ code: 'PUBLISH.BATCH_TOO_LARGE' });
    expect(h.requests).toEqual([]);
  });
});
