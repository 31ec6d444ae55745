import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { PlatformProjection, type DataEnvelope } from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import {
  explainedDecision,
  noObligations,
  PolicyGate,
  type PolicyDecision,
  type PolicyEngine,
  type PolicyInput,
} from '@renkei/policy';
import { batteryContract, batteryGrant, member } from '../exchange.fixtures.js';
import type { StreamLine } from './subscribe.dto.js';
import { Subscription, type SubscriptionDeps } from './subscription.js';
import type { FeedBatch, TopicFeed } from './topic-feed.js';

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
    return explainedDecision(reasons.length === 0, reasons, noObligations(), input.action);
  },
});

/** `slow`: a client that has stopped reading (every write fills the socket, which never drains). */
function harness(revoked = false, options: { slow?: boolean; bufferEvents?: number } = {}) {
  const inputs: PolicyInput[] = [];
  const records: unknown[][] = [];
  const lines: StreamLine[] = [];
  let ended = false;
  const out = {
    writableEnded: false,
    write: (text: string) => {
      lines.push(JSON.parse(text) as StreamLine);
      return !options.slow;
    },
    once: () => undefined,
    off: () => undefined,
    end: () => {
      ended = true;
    },
  } as unknown as ServerResponse;
  const state = projection();
  const advanced: [number, bigint][] = [];
  const deps: SubscriptionDeps = {
    hub: {
      join: () => expect.fail('deliverBatch() joins no feed'),
      leave: () => Promise.resolve(),
      admin: () => expect.fail('deliverBatch() asks no admin'),
      lowOffsets: () => expect.fail('deliverBatch() asks no offsets'),
    },
    positions: {
      get: () => expect.fail('deliverBatch() reads no position'),
      advance: (_grant, partition, next) => void advanced.push([partition, next]),
    },
    state,
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
    bufferEvents: options.bufferEvents,
  };
  const principal = { participantId: 'auto', claims: { exp: 0 } } as unknown as Principal;
  const subscription = new Subscription(deps, principal, grant, out);
  return { subscription, inputs, records, lines, advanced, deps, state, ended: () => ended };
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

/** One batch of the feed on partition 0. */
const batchOf = (envelopes: DataEnvelope[]): FeedBatch => ({
  partition: 0,
  messages: envelopes.map((e, i) => ({
    offset: BigInt(i),
    timestamp: Date.parse(e.publishedAt),
    envelope: e,
  })),
});

const deliver = async (s: Subscription, batch: FeedBatch) => {
  await (s as unknown as { deliverBatch(b: FeedBatch): Promise<void> }).deliverBatch(batch);
};

describe('Subscription: the grant history term', () => {
  it('skips events published before the history start, delivers the rest, and keeps the stream open', async () => {
    const h = harness();
    const batch = batchOf([
      envelope('old-1', approvedAt - 3_600_000),
      envelope('new-1', approvedAt + 1_000),
      envelope('old-2', approvedAt - 1),
      envelope('new-2', approvedAt),
    ]);
    await deliver(h.subscription, batch);
    expect(h.lines.flatMap((l) => (l.type === 'event' ? [l.event.id] : []))).toEqual(['new-1', 'new-2']);
    expect(h.lines.some((l) => l.type === 'end')).toBe(false);
    expect(h.ended()).toBe(false);
    // The position moves past the skipped events too.
    await h.subscription.end('TEST.DONE', 'done');
    expect(h.advanced).toEqual([[0, 4n]]);
    // And so does the end line's position: resuming after it neither repeats nor re-decides them.
    expect(h.lines.at(-1)).toMatchObject({ type: 'end', code: 'TEST.DONE', position: '0:3' });
    // Decided apart: the past with its earliest publication time, the rest from the history start on.
    expect(h.inputs.map((i) => i.delivery?.publishedFrom).sort()).toEqual([
      approvedAt - 3_600_000,
      approvedAt,
    ]);
  });

  it('records the withheld decision for compliance, with no event delivered under it', async () => {
    const h = harness();
    await deliver(h.subscription, batchOf([envelope('old-1', approvedAt - 10)]));
    await h.subscription.end('TEST.DONE', 'done');
    expect(h.records.flat()).toEqual([
      expect.objectContaining({ allow: false, reasons: ['GRANT.HISTORY_NOT_GRANTED'], eventIds: [] }),
    ]);
  });

  it('still ends the stream when the past is denied for another reason as well', async () => {
    const h = harness(true);
    await deliver(h.subscription, batchOf([envelope('old-1', approvedAt - 10)]));
    expect(h.lines.filter((l) => l.type === 'event')).toEqual([]);
    // The end line says why: the deciding rule and its explanation, and every reason in the message.
    expect(h.lines.at(-1)).toEqual({
      type: 'end',
      code: 'GRANT.NOT_ACTIVE',
      rule: 'GRANT.NOT_ACTIVE',
      explanation: 'denied by policy rule GRANT.NOT_ACTIVE',
      message:
        'Delivery denied by policy (GRANT.NOT_ACTIVE, GRANT.HISTORY_NOT_GRANTED): denied by policy rule ' +
        'GRANT.NOT_ACTIVE; denied by policy rule GRANT.HISTORY_NOT_GRANTED',
    });
  });
});

describe('Subscription: decisions per batch', () => {
  it('records each decision with the ids of the events delivered under it', async () => {
    const h = harness();
    await deliver(
      h.subscription,
      batchOf([envelope('new-1', approvedAt + 1_000), envelope('new-2', approvedAt + 2_000)]),
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

/** Positions the stream would have found at start (start() itself needs Kafka). */
const startAt = (s: Subscription, positions: [number, bigint][]) => {
  const next = (s as unknown as { next: Map<number, bigint> }).next;
  for (const [p, o] of positions) next.set(p, o);
};

const feedBatch = (partition: number, from: number, n: number): FeedBatch => ({
  partition,
  messages: Array.from({ length: n }, (_, i) => ({
    offset: BigInt(from + i),
    timestamp: approvedAt + 1_000,
    envelope: envelope(`e-${partition}-${from + i}`, approvedAt + 1_000),
  })),
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
const eventIds = (lines: StreamLine[]) => lines.flatMap((l) => (l.type === 'event' ? [l.event.id] : []));

describe('Subscription: reading the shared feed', () => {
  it('takes each event once from its own position: nothing before it, nothing twice after a rewind', async () => {
    const h = harness();
    startAt(h.subscription, [[0, 2n]]);
    h.subscription.offer(feedBatch(0, 0, 4)); // the feed was rewound to 0 for another stream
    h.subscription.offer(feedBatch(0, 0, 6)); // and read the same events again, and more
    await settle();
    expect(eventIds(h.lines)).toEqual(['e-0-2', 'e-0-3', 'e-0-4', 'e-0-5']);
  });

  it('does not take a batch that starts past its position (read before the feed came back for it)', async () => {
    const h = harness();
    startAt(h.subscription, [[0, 2n]]);
    h.subscription.offer(feedBatch(0, 5, 2)); // taking it would skip 2, 3 and 4
    h.subscription.offer(feedBatch(0, 2, 5));
    await settle();
    expect(eventIds(h.lines)).toEqual(['e-0-2', 'e-0-3', 'e-0-4', 'e-0-5', 'e-0-6']);
  });
});

describe('Subscription: storing decisions and positions', () => {
  it('keeps one store in flight: batches delivered meanwhile go into the next, in order, none dropped', async () => {
    const h = harness();
    const calls: string[][] = [];
    const pending: (() => void)[] = [];
    // An audit topic slower than delivery: each store waits until the test lets it finish.
    h.deps.decisions.record = (records) => {
      calls.push(records.flatMap((r) => r.eventIds ?? []));
      return new Promise<void>((resolve) => pending.push(resolve));
    };
    for (let k = 0; k < 5; k++) await deliver(h.subscription, feedBatch(0, 2 * k, 2));
    // One store for the first batch; the four batches after it wait for it instead of queueing four stores.
    expect(calls).toEqual([['e-0-0', 'e-0-1']]);
    expect(h.advanced).toEqual([]);
    pending.shift()!();
    await settle();
    expect(calls).toEqual([
      ['e-0-0', 'e-0-1'],
      ['e-0-2', 'e-0-3', 'e-0-4', 'e-0-5', 'e-0-6', 'e-0-7', 'e-0-8', 'e-0-9'],
    ]);
    // The position is stored after the records it covers, never before.
    expect(h.advanced).toEqual([[0, 2n]]);
    const ended = h.subscription.end('TEST.DONE', 'done');
    pending.shift()!();
    await ended;
    expect(h.advanced).toEqual([
      [0, 2n],
      [0, 10n],
    ]);
  });
});

describe('Subscription: a slow consumer', () => {
  it('is ended with a resumable STREAM.TOO_SLOW past its bound, while a fast stream on the same feed gets everything', async () => {
    const slow = harness(false, { slow: true, bufferEvents: 10 });
    const fast = harness(false, { bufferEvents: 10 });
    startAt(slow.subscription, [[0, 0n]]);
    startAt(fast.subscription, [[0, 0n]]);
    for (let from = 0; from < 30; from += 5) {
      const batch = feedBatch(0, from, 5);
      // offer() never waits for a client: the feed goes on at once whatever the slow one does.
      expect(slow.subscription.offer(batch)).toBeUndefined();
      fast.subscription.offer(batch);
      await settle();
    }
    expect(eventIds(fast.lines)).toHaveLength(30);
    expect(fast.ended()).toBe(false);
    // The slow client got the first write (then its socket was full), and at most the bound stayed queued.
    expect(slow.lines.at(-1)).toMatchObject({ type: 'end', code: 'STREAM.TOO_SLOW' });
    // The end line names the last event written before it: resuming there loses nothing and repeats nothing.
    const written = slow.lines.filter((l) => l.type === 'event');
    expect(written.length).toBeGreaterThan(0);
    expect(slow.lines.at(-1)).toMatchObject({ position: written.at(-1)!.position });
    expect(slow.ended()).toBe(true);
    const queued = slow.subscription as unknown as { queue: unknown[]; queued: number };
    expect(queued.queue).toEqual([]);
    expect(queued.queued).toBe(0);
  });
});

describe('Subscription: a stream resuming far behind', () => {
  it('takes a first batch bigger than its bound instead of ending (every reconnect would end the same way)', async () => {
    const behind = harness(false, { bufferEvents: 10 });
    startAt(behind.subscription, [[0, 0n]]);
    behind.subscription.offer(feedBatch(0, 0, 25));
    await settle();
    expect(eventIds(behind.lines)).toHaveLength(25);
    expect(behind.ended()).toBe(false);
  });
});

describe('Subscription: teardown', () => {
  it('releases everything when its client goes: feed left, queue dropped, timers and projection listener gone', async () => {
    const h = harness(false, { slow: true });
    const left: unknown[][] = [];
    const feed = {} as TopicFeed;
    const deps: SubscriptionDeps = {
      ...h.deps,
      hub: {
        join: () => Promise.resolve(feed),
        leave: (f, r) => Promise.resolve(void left.push([f, r])),
        admin: () =>
          Promise.resolve({
            fetchTopicOffsetsByTimestamp: () => Promise.resolve([{ partition: 0, offset: '0' }]),
          } as never),
        lowOffsets: () => Promise.resolve([{ partition: 0, low: '0' }]),
      },
      positions: { get: () => Promise.resolve(undefined), advance: () => undefined },
    };
    // A client that stopped reading: every write fills its socket, so events wait in the stream's queue.
    const out = Object.assign(new EventEmitter(), {
      writableEnded: false,
      writeHead: () => undefined,
      flushHeaders: () => undefined,
      write: () => false,
      end() {
        this.writableEnded = true;
      },
    });
    const listeners = (h.state as unknown as { listeners: unknown[] }).listeners;
    const before = listeners.length;
    const principal = {
      participantId: 'auto',
      claims: { exp: Math.floor((approvedAt + 3_600_000) / 1000) },
    } as unknown as Principal;
    const s = new Subscription(deps, principal, grant, out as unknown as ServerResponse);
    await s.start();
    expect(listeners).toHaveLength(before + 1);
    s.offer(feedBatch(0, 0, 3));
    s.offer(feedBatch(0, 3, 3));
    await settle();
    const internals = s as unknown as {
      queued: number;
      heartbeat: { _destroyed: boolean };
      expiry: { _destroyed: boolean };
    };
    expect(internals.queued).toBe(3);

    const closedAt = Date.now();
    out.emit('close');
    await s.done;
    expect(Date.now() - closedAt).toBeLessThan(1_000);
    expect(left).toEqual([[feed, s]]);
    expect(internals.queued).toBe(0);
    expect(listeners).toHaveLength(before);
    expect(internals.heartbeat._destroyed).toBe(true);
    expect(internals.expiry._destroyed).toBe(true);
    // A batch the feed still offers after the close is not taken.
    s.offer(feedBatch(0, 6, 3));
    expect(internals.queued).toBe(0);
  });
});
