import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { FixedClock, PlatformProjection, type DecisionRecordInput } from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import {
  explainedDecision,
  noObligations,
  PolicyGate,
  type PolicyDecision,
  type PolicyEngine,
} from '@renkei/policy';
import { ProjectedContractCatalog } from '../contracts/contract-catalog.js';
import { batteryContract, batteryGrant, member } from '../exchange.fixtures.js';
import { ExchangeSettings } from '../platform/platform.module.js';
import type { DataTopics } from '../topics/data-topics.js';
import { SubscribeService } from './subscribe.service.js';

const grant = batteryGrant();

function harness(
  options: { deny?: string; offsets?: () => Promise<{ partition: number; high: string }[]> } = {},
) {
  const state = new PlatformProjection();
  state.apply(member('cell', 'battery-cells'));
  state.apply(member('auto', 'automotive'));
  state.apply(member('other', 'automotive'));
  state.apply({ type: 'contract.published', contract: batteryContract() });
  state.apply({ type: 'grant.changed', grant, actor: 'cell', reason: null });
  const syncs: (number | undefined)[] = [];
  const recorded: DecisionRecordInput[] = [];
  const engine = {
    revision: 'spec-revision',
    decide: (): PolicyDecision =>
      options.deny
        ? explainedDecision(false, [options.deny])
        : explainedDecision(true, [], noObligations(), 'subscribe'),
  } as unknown as PolicyEngine;
  const topics: DataTopics = {
    ensure: () => Promise.resolve(),
    partitioner: () => expect.fail('subscribing partitions nothing'),
    offsets: () =>
      (options.offsets ?? (() => Promise.resolve([])))().then((o) => o.map((p) => ({ ...p, low: '0' }))),
  };
  const service = new SubscribeService(
    (maxAgeMs) => {
      syncs.push(maxAgeMs);
      return Promise.resolve();
    },
    state,
    new ProjectedContractCatalog(state),
    new PolicyGate(engine, state, 'exchange'),
    {
      record: (records) => {
        recorded.push(...records);
        return Promise.resolve();
      },
    },
    topics,
    { protect: () => expect.fail('no publish here'), reveal: () => expect.fail('no delivery here') },
    // authorise() opens no consumer: a stream does, and the e2e tests cover it on real Kafka.
    {} as Kafka,
    new ExchangeSettings(3, 'secret'),
    new FixedClock(new Date('2026-12-01T09:00:00.000Z')),
    { error: () => undefined, warn: () => undefined } as unknown as Logger,
  );
  return { service, syncs, recorded, state };
}

const subscriber = (participantId = 'auto', dataset = 'battery.cfp', grantId = 'g-1'): Principal => ({
  participantId,
  scopes: new Set([`subscribe:${dataset}`]),
  claims: { dataset, grant: grantId } as Principal['claims'],
});

describe('SubscribeService.authorise', () => {
  it('opens a stream for the grant’s consumer after a barrier that starts now, and records the decision', async () => {
    const h = harness();
    await expect(h.service.authorise(subscriber(), 'battery.cfp')).resolves.toEqual(grant);
    expect(h.syncs).toEqual([0]);
    expect(h.recorded).toEqual([
      expect.objectContaining({ action: 'subscribe', allow: true, grantId: 'g-1', requestedBy: 'auto' }),
    ]);
  });

  it('refuses a token for another dataset before consulting anything', async () => {
    const h = harness();
    await expect(
      h.service.authorise(subscriber('auto', 'battery.other'), 'battery.cfp'),
    ).rejects.toMatchObject({
      code: 'TOKEN.INSUFFICIENT_SCOPE',
    });
    expect(h.syncs).toEqual([]);
  });

  it('answers GRANT.NOT_FOUND for a grant that is not the caller’s, as for one that does not exist', async () => {
    const h = harness();
    await expect(h.service.authorise(subscriber('other'), 'battery.cfp')).rejects.toMatchObject({
      code: 'GRANT.NOT_FOUND',
    });
    await expect(
      h.service.authorise(subscriber('auto', 'battery.cfp', 'g-x'), 'battery.cfp'),
    ).rejects.toMatchObject({
      code: 'GRANT.NOT_FOUND',
    });
    expect(h.recorded).toEqual([]);
  });

  it('records a denial and refuses with the policy’s reason', async () => {
    const h = harness({ deny: 'GRANT.NOT_ACTIVE' });
    await expect(h.service.authorise(subscriber(), 'battery.cfp')).rejects.toMatchObject({
      kind: 'forbidden',
      code: 'GRANT.NOT_ACTIVE',
    });
    expect(h.recorded).toEqual([expect.objectContaining({ allow: false, reasons: ['GRANT.NOT_ACTIVE'] })]);
  });

  it('refuses ?after= positions the topic does not have, and answers 503 when Kafka cannot say', async () => {
    const h = harness({ offsets: () => Promise.resolve([{ partition: 0, high: '5' }]) });
    await expect(h.service.authorise(subscriber(), 'battery.cfp', new Map([[0, 4n]]))).resolves.toEqual(
      grant,
    );
    await expect(h.service.authorise(subscriber(), 'battery.cfp', new Map([[0, 5n]]))).rejects.toMatchObject({
      code: 'STREAM.INVALID_POSITION',
    });
    await expect(h.service.authorise(subscriber(), 'battery.cfp', new Map([[1, 0n]]))).rejects.toMatchObject({
      code: 'STREAM.INVALID_POSITION',
    });
    const down = harness({ offsets: () => Promise.reject(new Error('broker down')) });
    await expect(
      down.service.authorise(subscriber(), 'battery.cfp', new Map([[0, 1n]])),
    ).rejects.toMatchObject({
      kind: 'unavailable',
      code: 'KAFKA.UNAVAILABLE',
    });
  });

  it('honours a transfer-bound token only while its transfer is started with that very token', async () => {
    const h = harness();
    const bound = (jti: string): Principal => ({
      ...subscriber(),
      claims: { dataset: 'battery.cfp', grant: 'g-1', tid: 't-1', jti } as Principal['claims'],
    });
    const transfer = (state: 'STARTED' | 'SUSPENDED' | 'TERMINATED', tokenId: string | null) =>
      h.state.apply({
        type: 'transfer.changed',
        transfer: {
          id: 't-1',
          grantId: 'g-1',
          dataset: 'battery.cfp',
          consumer: 'auto',
          state,
          tokenId,
          changedAt: '2026-12-01T09:00:00.000Z',
        },
        reason: null,
      });
    // Unknown to the exchange (never started, or already ended): refused.
    await expect(h.service.authorise(bound('jti-1'), 'battery.cfp')).rejects.toMatchObject({
      code: 'TRANSFER.NOT_ACTIVE',
    });
    transfer('STARTED', 'jti-1');
    await expect(h.service.authorise(bound('jti-1'), 'battery.cfp')).resolves.toEqual(grant);
    transfer('SUSPENDED', null);
    await expect(h.service.authorise(bound('jti-1'), 'battery.cfp')).rejects.toMatchObject({
      code: 'TRANSFER.NOT_ACTIVE',
    });
    // Started again with a new token: the old one stays refused.
    transfer('STARTED', 'jti-2');
    await expect(h.service.authorise(bound('jti-1'), 'battery.cfp')).rejects.toMatchObject({
      code: 'TRANSFER.NOT_ACTIVE',
    });
    await expect(h.service.authorise(bound('jti-2'), 'battery.cfp')).resolves.toEqual(grant);
    transfer('TERMINATED', null);
    await expect(
      h.service.authorise(bound('jti-2'), 'battery.cfp', new Map(), 'snapshot'),
    ).rejects.toMatchObject({ code: 'TRANSFER.NOT_ACTIVE' });
  });
});
