import { beforeEach, describe, expect, it, vi } from 'vitest';
import { concealedTarget, HISTORY_ALL, type PlatformProjection } from '@renkei/domain';
import type { OutboxRelay } from '@renkei/kafka';
import { PolicyGate } from '@renkei/policy';
import { memoryPrisma, memoryTables, type MemoryTables } from '../testing/memory-prisma.js';
import {
  AUTOMAKER,
  CELL_MAKER,
  DATASET,
  STRANGER,
  caller,
  contract,
  fixedClock,
  recordingSync,
  refusal,
  projection,
  scriptedPolicy,
} from '../testing/fixtures.js';
import { GrantAccess } from './grant-access.js';
import { GrantsService, MAX_PENDING_REQUESTS, POLICY_APPROVER } from './grants.service.js';
import { RequestGrantSchema } from './grants.dto.js';

const ask = (over: Record<string, unknown> = {}) =>
  RequestGrantSchema.parse({ dataset: DATASET, purpose: 'pcf-reporting', ...over });

describe('GrantsService', () => {
  let tables: MemoryTables;
  let policy: ReturnType<typeof scriptedPolicy>;
  let syncs: number[];
  let flush: ReturnType<typeof vi.fn>;
  let grants: GrantsService;
  const clock = fixedClock();
  const consumer = caller(AUTOMAKER);
  const originator = caller(CELL_MAKER);

  beforeEach(() => {
    clock.set('2026-11-21T09:00:00.000Z');
    tables = memoryTables(() => clock.now());
    const prisma = memoryPrisma(tables);
    const state = projection();
    policy = scriptedPolicy();
    const barrier = recordingSync();
    syncs = barrier.syncs;
    flush = vi.fn(() => Promise.resolve());
    grants = new GrantsService(
      prisma,
      { flush } as unknown as OutboxRelay,
      state,
      barrier.sync,
      new PolicyGate(policy.engine, state, 'clearing'),
      new GrantAccess(prisma),
      clock,
    );
  });

  const kinds = () => tables.auditEntry.rows.map((r) => r.kind);

  describe('request', () => {
    it("makes a requested grant with the contract's owner as originator, its decision and event on record", async () => {
      const grant = await grants.request(consumer, ask({ historyFrom: HISTORY_ALL }));
      expect(grant).toMatchObject({
        state: 'requested',
        originator: CELL_MAKER,
        consumer: AUTOMAKER,
        dataset: DATASET,
        purpose: 'pcf-reporting',
        historyFrom: null,
        historyRequested: HISTORY_ALL,
      });
      expect(policy.asked).toHaveLength(1);
      expect(policy.asked[0]).toMatchObject({ action: 'grant.request', subject: { id: AUTOMAKER } });
      expect(kinds()).toEqual(['decision', 'grant.changed']);
      expect(tables.grantTransition.rows).toMatchObject([{ fromState: null, toState: 'requested' }]);
      expect(tables.clearingOutbox.rows).toHaveLength(1);
      expect(flush).toHaveBeenCalledOnce();
    });

    it('refuses what the policy denies with 403 naming its reason, and keeps only the decision', async () => {
      policy.deny('PURPOSE.NOT_ALLOWED');
      const error = await refusal(grants.request(consumer, ask()));
      expect([error.code, error.kind]).toEqual(['PURPOSE.NOT_ALLOWED', 'forbidden']);
      expect(tables.grant.rows).toHaveLength(0);
      expect(tables.auditEntry.rows).toMatchObject([{ kind: 'decision', allow: false, actorId: AUTOMAKER }]);
      expect(tables.clearingOutbox.rows).toHaveLength(0);
    });

    it('looks again after a fresh barrier before answering that a dataset has no contract', async () => {
      const error = await refusal(grants.request(consumer, ask({ dataset: 'cell.unknown' })));
      expect(error.code).toBe('CONTRACT.NOT_FOUND');
      expect(syncs).toEqual([250, 0]);
      expect(policy.asked).toHaveLength(0);
    });

    it('refuses a second request for the same dataset and purpose while the first waits, recording nothing', async () => {
      const first = await grants.request(consumer, ask());
      const before = tables.auditEntry.rows.length;
      const error = await refusal(grants.request(consumer, ask()));
      expect(error.code).toBe('GRANT.ALREADY_REQUESTED');
      expect(error.details).toEqual([
        { path: '/dataset', message: `pending request ${first.id}`, grant: first.id },
      ]);
      expect(tables.auditEntry.rows).toHaveLength(before);
      expect(tables.grant.rows).toHaveLength(1);
    });

    it(`lets no consumer have more than ${MAX_PENDING_REQUESTS} requests waiting`, async () => {
      for (let i = 0; i < MAX_PENDING_REQUESTS; i++)
        await grants.request(consumer, ask({ purpose: `p-${i}` }));
      const error = await refusal(grants.request(consumer, ask({ purpose: 'one-more' })));
      expect(error.code).toBe('GRANT.TOO_MANY_PENDING');
      // Another consumer is not held to this one's requests.
      await expect(grants.request(caller(STRANGER), ask({ purpose: 'one-more' }))).resolves.toMatchObject({
        state: 'requested',
      });
    });
  });

  describe('moves', () => {
    it('approves through the policy, on the grant as it stands, fixing the history the consumer asked for', async () => {
      const { id } = await grants.request(consumer, ask({ historyFrom: '2026-01-01T00:00:00.000Z' }));
      const approved = await grants.approve(originator, id, 'ok');
      expect(approved).toMatchObject({ state: 'granted', historyFrom: '2026-01-01T00:00:00.000Z' });
      expect(policy.asked[1]).toMatchObject({
        action: 'grant.approve',
        subject: { id: CELL_MAKER },
        grant: { id, state: 'requested' },
      });
      expect(syncs).toContain(250);
      expect(kinds()).toEqual(['decision', 'grant.changed', 'decision', 'grant.changed']);
    });

    it("lets the originator's own history term win, and 'all' means everything on the topic", async () => {
      const { id } = await grants.request(consumer, ask({ historyFrom: '2026-01-01T00:00:00.000Z' }));
      expect(await grants.approve(originator, id, null, HISTORY_ALL)).toMatchObject({
        historyFrom: HISTORY_ALL,
      });
    });

    it('without any history term covers only what is published from the approval on', async () => {
      const { id } = await grants.request(consumer, ask());
      clock.set('2026-11-22T10:00:00.000Z');
      expect(await grants.approve(originator, id, null)).toMatchObject({
        historyFrom: '2026-11-22T10:00:00.000Z',
      });
    });

    it('leaves the grant requested when the policy denies the approval', async () => {
      const { id } = await grants.request(consumer, ask());
      policy.deny('PARTICIPANT.SUSPENDED');
      const error = await refusal(grants.approve(originator, id, null));
      expect(error.code).toBe('PARTICIPANT.SUSPENDED');
      expect(tables.grant.rows).toMatchObject([{ id, state: 'requested' }]);
      expect(kinds()).toEqual(['decision', 'grant.changed', 'decision']);
    });

    it("answers the consumer trying the originator's move like a missing grant, concealing it", async () => {
      const { id } = await grants.request(consumer, ask());
      const error = await refusal(grants.approve(consumer, id, null));
      expect(error.code).toBe('GRANT.NOT_FOUND');
      expect(concealedTarget(error)).toEqual({ type: 'grant', id });
      expect(policy.asked).toHaveLength(1);
    });

    it('lets the consumer give up its own grant (revoke is either party’s move)', async () => {
      const { id } = await grants.request(consumer, ask());
      await grants.approve(originator, id, null);
      expect(await grants.revoke(consumer, id, 'no longer needed')).toMatchObject({ state: 'revoked' });
    });

    it('opens the deletion obligation when a held grant is revoked, due deletionDays later', async () => {
      const { id } = await grants.request(consumer, ask({ deletionDays: 7 }));
      await grants.approve(originator, id, null);
      await grants.revoke(originator, id, 'contract ended');
      expect(tables.deletionObligation.rows).toMatchObject([
        {
          grantId: id,
          consumerId: AUTOMAKER,
          originatorId: CELL_MAKER,
          cause: 'revoked',
          status: 'open',
          dueAt: new Date('2026-11-28T09:00:00.000Z'),
        },
      ]);
      expect(kinds().slice(-2)).toEqual(['grant.changed', 'deletion.obligation']);
    });

    it('opens none when a request is withdrawn before it was granted: nothing was received', async () => {
      const { id } = await grants.request(consumer, ask());
      await grants.revoke(consumer, id, null);
      expect(tables.deletionObligation.rows).toHaveLength(0);
    });

    it('suspends and resumes without the policy; resuming keeps the history term of the approval', async () => {
      const { id } = await grants.request(consumer, ask({ historyFrom: HISTORY_ALL }));
      await grants.approve(originator, id, null);
      await grants.suspend(originator, id, 'audit');
      const resumed = await grants.resume(originator, id, null);
      expect(resumed).toMatchObject({ state: 'granted', historyFrom: HISTORY_ALL });
      expect(policy.asked.map((i) => i.action)).toEqual(['grant.request', 'grant.approve']);
      expect(tables.grantTransition.rows.map((t) => t.toState)).toEqual([
        'requested',
        'granted',
        'suspended',
        'granted',
      ]);
    });

    it('refuses a move the state machine forbids, changing nothing', async () => {
      const { id } = await grants.request(consumer, ask());
      await grants.reject(originator, id, 'no');
      const error = await refusal(grants.approve(originator, id, null));
      expect([error.code, error.kind]).toEqual(['GRANT.ILLEGAL_TRANSITION', 'conflict']);
      expect(tables.grant.rows).toMatchObject([{ state: 'rejected' }]);
    });
  });

  describe("contract term approval: 'policy'", () => {
    const byPolicy = () =>
      // The projection read by the service: a newer version of the contract with approval by policy.
      (grants as unknown as { state: PlatformProjection }).state.apply({
        type: 'contract.published',
        contract: contract({ version: '9.0.0', approval: 'policy' }),
      });

    it('approves a plain request at once when the policy allows it, both decisions on record', async () => {
      byPolicy();
      const grant = await grants.request(consumer, ask());
      expect(grant.state).toBe('granted');
      expect(policy.asked.map((a) => a.action)).toEqual(['grant.request', 'grant.approve']);
      expect(policy.asked[1]).toMatchObject({ subject: { id: CELL_MAKER } });
      expect(tables.grantTransition.rows).toMatchObject([
        { fromState: null, toState: 'requested' },
        { fromState: 'requested', toState: 'granted', actorId: POLICY_APPROVER },
      ]);
    });

    it('leaves the request waiting for the originator when the policy refuses the approval', async () => {
      byPolicy();
      const decide = policy.engine.decide.bind(policy.engine);
      vi.spyOn(policy.engine, 'decide').mockImplementation((input) =>
        input.action === 'grant.approve'
          ? { ...decide(input), allow: false, reasons: ['PURPOSE.NOT_ALLOWED'] }
          : decide(input),
      );
      const grant = await grants.request(consumer, ask());
      expect(grant.state).toBe('requested');
      expect(tables.auditEntry.rows.filter((r) => r.kind === 'decision').map((r) => r.allow)).toEqual([
        true,
        false,
      ]);
    });

    it('does not approve at once where a DSP negotiation approves by its agreement (autoApprove: false)', async () => {
      byPolicy();
      const grant = await grants.request(consumer, ask(), { autoApprove: false });
      expect(grant.state).toBe('requested');
      expect(policy.asked.map((a) => a.action)).toEqual(['grant.request']);
    });

    it('leaves an originator-approved contract waiting for the originator', async () => {
      const grant = await grants.request(consumer, ask());
      expect(grant.state).toBe('requested');
    });
  });

  describe('approval delegate', () => {
    it('lets a DSP negotiation answer an approval of its grant, and the ordinary approval apply otherwise', async () => {
      const { id } = await grants.request(consumer, ask());
      const other = await grants.request(consumer, ask({ purpose: 'other-use' }));
      grants.delegateApproval((_actor, grantId) =>
        Promise.resolve(grantId === id ? { ...other, id, state: 'requested' as const } : null),
      );
      expect((await grants.approve(originator, id, null)).state).toBe('requested');
      expect(tables.grant.rows.find((g) => g.id === id)).toMatchObject({ state: 'requested' });
      expect((await grants.approve(originator, other.id, null)).state).toBe('granted');
    });
  });

  describe('reading', () => {
    it("answers a stranger like a missing grant, and only someone else's grant is a concealed refusal", async () => {
      const { id } = await grants.request(consumer, ask());
      const foreign = await refusal(grants.get(caller(STRANGER), id));
      expect(foreign.code).toBe('GRANT.NOT_FOUND');
      expect(concealedTarget(foreign)).toEqual({ type: 'grant', id });
      const missing = await refusal(grants.get(consumer, '00000000-0000-4000-8000-000000000000'));
      expect(missing.message).toBe(foreign.message.replace(id, '00000000-0000-4000-8000-000000000000'));
      expect(concealedTarget(missing)).toBeUndefined();
      await expect(grants.get(originator, id)).resolves.toMatchObject({ id });
    });

    it('lists only grants the caller is a party to, in the role it asks for', async () => {
      const mine = await grants.request(consumer, ask());
      await grants.request(caller(STRANGER), ask());
      const ids = async (who: string, role: 'originator' | 'consumer' | 'any') =>
        (await grants.list(caller(who), { role })).map((g) => g.consumer);
      expect(await ids(AUTOMAKER, 'any')).toEqual([AUTOMAKER]);
      expect(await ids(AUTOMAKER, 'originator')).toEqual([]);
      expect((await ids(CELL_MAKER, 'originator')).sort()).toEqual([AUTOMAKER, STRANGER].sort());
      expect(await grants.list(consumer, { role: 'any', state: 'granted' })).toEqual([]);
      expect((await grants.list(consumer, { role: 'consumer' }))[0]?.id).toBe(mine.id);
    });
  });
});
