import { describe, expect, it } from 'vitest';
import type { EachBatchPayload } from 'kafkajs';
import type { ServerResponse } from 'node:http';
import { PlatformProjection, type DataEnvelope } from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import {
  noObligations,
  PolicyGate,
  type PolicyDecision,
  type PolicyEngine,
  type PolicyInput,
} from '@renkei/policy';
import { batteryContract, batteryGrant, member } from '../exchange.fixtures.js';
import type { StreamLine } from './subscribe.dto.js';
import { Subscription, type SubscriptionDeps } from './subscription.js';

const approvedAt = Date.parse('2026-12-01T09:00:00.000Z');
const grant = batteryGrant({
  historyFrom: new Date(approvedAt).toISOString(),
  changedAt: '2026-12-01T09:00:00.000Z',
});

function projection(): PlatformProjection {
  const state = new PlatformProjection();
  state.apply(member('cell', 'battery-cells'));
  state.apply(member('auto', 'automotive'));
  state.apply({ type: 'contract.published', contract: batteryContract() });
  state.apply({ type: 'grant.changed', grant, actor: 'cell', reason: null });
  return state;
}

/**
 * The policy's history rule, as the compiled bundle applies it (policies/renkei/history.rego): a group of
 * events published before the grant's history start is denied GRANT.HISTORY_NOT_GRANTED.
 */
const historyPolicy = (inputs: PolicyInput[], revoked = false) => ({
  revision: 'rego-test',
  decide(input: PolicyInput): PolicyDecision {
    inputs.push(input);
    const reasons = [
      ...(revoked ? ['GRANT.NOT_ACTIVE'] : []),
      ...(!input.delivery || input.delivery.publishedFrom < input.grant!.historyFrom
        ? ['GRANT.HISTORY_NOT_GRANTED']
        : []),
    ];
    return { allow: reasons.length === 0, reasons, obligations: noObligations() };
  },
});

function harness(revoked = false, sync: SubscriptionDeps['sync'] = () => Promise.resolve()) {
  const inputs: PolicyInput[] = [];
  const records: unknown[][] = [];
  const lines: StreamLine[] = [];
  let ended = false;
  const out = {
    writableEnded: false,
    write: (text: string) => {
      lines.push(JSON.parse(text) as StreamLine);
      return true;
    },
    end: () => {
      ended = true;
    },
  } as unknown as ServerResponse;
  const state = projection();
  const deps: SubscriptionDeps = {
    kafka: {
      consumer: () => expect.fail('deliver() opens no consumer'),
      admin: () => expect.fail('deliver() asks no admin'),
    },
    state,
    sync,
    // The real gate (input from the projection, the decision record) over a stand-in for the compiled policy.
    gate: new PolicyGate(historyPolicy(inputs, revoked) as unknown as PolicyEngine, state, 'exchange'),
    decisions: {
      record: (r) => {
        records.push(r);
        return Promise.resolve();
      },
    },
    topics: { ensure: () => Promise.resolve() },
    protection: { reveal: () => expect.fail('no field of these events is protected') },
    clock: { now: () => new Date(approvedAt + 60_000) },
    logger: { warn: () => undefined },
    pseudonymSecret: 'secret',
  };
  const principal = { participantId: 'auto', claims: { exp: 0 } } as unknown as Principal;
  const subscription = new Subscription(deps, principal, grant, out);
  return { subscription, inputs, records, lines, ended: () => ended };
}

const envelope = (id: string, publishedAt: number): DataEnvelope => ({
  id,
  type: 'lot',
  schemaVersion: '1',
  occurredAt: new Date(publishedAt).toISOString(),
  publishedAt: new Date(publishedAt).toISOString(),
  dataset: 'battery.cfp',
  contractVersion: '1.0.0',
  originator: 'cell',
  payload: { lotId: id },
});

/** One batch of messages on partition 0, and what the consumer was told to commit. */
function batchOf(envelopes: DataEnvelope[]) {
  const resolved: string[] = [];
  const payload = {
    batch: {
      topic: 'renkei.data.battery.cfp',
      partition: 0,
      messages: envelopes.map((e, i) => ({
        offset: String(i),
        timestamp: String(Date.parse(e.publishedAt)),
        value: Buffer.from(JSON.stringify(e)),
      })),
    },
    resolveOffset: (offset: string) => resolved.push(offset),
    heartbeat: () => Promise.resolve(),
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
  return { payload, resolved };
}

const deliver = (s: Subscription, payload: EachBatchPayload) =>
  (s as unknown as { deliver(p: EachBatchPayload): Promise<void> }).deliver(payload);

describe('Subscription: the grant history term', () => {
  it('skips events published before the history start, delivers the rest, and keeps the stream open', async () => {
    const h = harness();
    const { payload, resolved } = batchOf([
      envelope('old-1', approvedAt - 3_600_000),
      envelope('new-1', approvedAt + 1_000),
      envelope('old-2', approvedAt - 1),
      envelope('new-2', approvedAt),
    ]);
    await deliver(h.subscription, payload);
    expect(h.lines.flatMap((l) => (l.type === 'event' ? [l.event.id] : []))).toEqual(['new-1', 'new-2']);
    expect(h.lines.some((l) => l.type === 'end')).toBe(false);
    expect(h.ended()).toBe(false);
    // The position moves past the skipped events too.
    expect(resolved).toEqual(['0', '1', '2', '3']);
    // Decided apart: the past with its earliest publication time, the rest from the history start on.
    expect(h.inputs.map((i) => i.delivery?.publishedFrom).sort()).toEqual([
      approvedAt - 3_600_000,
      approvedAt,
    ]);
  });

  it('records the withheld decision for compliance, with no event delivered under it', async () => {
    const h = harness();
    await deliver(h.subscription, batchOf([envelope('old-1', approvedAt - 10)]).payload);
    await h.subscription.end('TEST.DONE', 'done');
    expect(h.records.flat()).toEqual([
      expect.objectContaining({ allow: false, reasons: ['GRANT.HISTORY_NOT_GRANTED'], eventIds: [] }),
    ]);
  });

  it('still ends the stream when the past is denied for another reason as well', async () => {
    const h = harness(true);
    await deliver(h.subscription, batchOf([envelope('old-1', approvedAt - 10)]).payload);
    expect(h.lines.filter((l) => l.type === 'event')).toEqual([]);
    expect(h.lines.at(-1)).toMatchObject({ type: 'end', code: 'GRANT.NOT_ACTIVE' });
  });
});

describe('Subscription: decisions per batch', () => {
  it('decides a batch only after the projection holds every platform event appended before it', async () => {
    let caughtUp!: () => void;
    const barrier = new Promise<void>((resolve) => (caughtUp = resolve));
    const h = harness(false, () => barrier);
    const delivering = deliver(h.subscription, batchOf([envelope('new-1', approvedAt + 1_000)]).payload);
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.inputs).toEqual([]);
    expect(h.lines).toEqual([]);
    caughtUp();
    await delivering;
    expect(h.inputs).toHaveLength(1);
    expect(h.lines.map((l) => l.type)).toEqual(['event']);
  });

  it('records each decision with the ids of the events delivered under it', async () => {
    const h = harness();
    await deliver(
      h.subscription,
      batchOf([envelope('new-1', approvedAt + 1_000), envelope('new-2', approvedAt + 2_000)]).payload,
    );
    await h.subscription.end('TEST.DONE', 'done');
    expect(h.records.flat()).toEqual([
      expect.objectContaining({
        service: 'exchange',
        action: 'deliver',
        allow: true,
        grantId: 'g-1',
        policyRevision: 'rego-test',
        eventIds: ['new-1', 'new-2'],
      }),
    ]);
  });
});
