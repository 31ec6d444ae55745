import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { RenkeiClient } from '@renkei/sdk';
import { InputsService } from './inputs.service.js';

const me = 'cps-sim';

interface Grant {
  id: string;
  state: string;
  dataset: string;
  consumer: string;
  purpose: string;
  historyRequested?: string | null;
}

/** A clearing that keeps the grants it is asked for; streams never open (tokens are refused). */
function fakeClearing(initial: Grant[] = []) {
  const grants = [...initial];
  const requests: Record<string, unknown>[] = [];
  const client = {
    credentials: { clientId: me },
    grants: () => Promise.resolve(grants.map((g) => ({ ...g }))),
    requestGrant: async (request: { dataset: string; purpose: string; historyFrom?: string }) => {
      requests.push(request);
      // Clearing answers a moment later: concurrent callers overlap.
      await new Promise((r) => setTimeout(r, 20));
      const grant = {
        id: `g-${grants.length + 1}`,
        state: 'requested',
        dataset: request.dataset,
        consumer: me,
        purpose: request.purpose,
        historyRequested: request.historyFrom ?? null,
      };
      grants.push(grant);
      return { ...grant };
    },
    datasetToken: () => Promise.reject(new Error('no streams in this test')),
  };
  return { client: client as unknown as RenkeiClient, grants, requests };
}

const service = (client: RenkeiClient) =>
  new InputsService(client, pino({ level: 'silent' }), { pollMs: 60_000 });

describe('InputsService.request', () => {
  it('asks once, for the whole history, and reuses the waiting request when asked again', async () => {
    const { client, requests } = fakeClearing();
    const inputs = service(client);
    const first = await inputs.request('euv.supply', 'supply-risk');
    const second = await inputs.request('euv.supply', 'supply-risk');
    await inputs.stop();
    expect(requests).toEqual([{ dataset: 'euv.supply', purpose: 'supply-risk', historyFrom: 'all' }]);
    expect(second.grant).toEqual(first.grant);
    expect(second.state).toBe('requested');
  });

  it('asks once when called many times at the same moment', async () => {
    const { client, requests } = fakeClearing();
    const inputs = service(client);
    const views = await Promise.all(
      Array.from({ length: 20 }, () => inputs.request('euv.supply', 'supply-risk')),
    );
    await inputs.stop();
    expect(requests).toHaveLength(1);
    expect(new Set(views.map((v) => v.grant?.id))).toEqual(new Set(['g-1']));
  });

  it('reuses a granted or suspended grant and keeps its state, never switching back to requested', async () => {
    const { client, requests } = fakeClearing([
      { id: 'g-live', state: 'granted', dataset: 'euv.supply', consumer: me, purpose: 'supply-risk' },
      { id: 'g-paused', state: 'suspended', dataset: 'euv.lens', consumer: me, purpose: 'supply-risk' },
    ]);
    const inputs = service(client);
    const live = await inputs.request('euv.supply', 'supply-risk');
    const again = await inputs.request('euv.supply', 'supply-risk');
    const paused = await inputs.request('euv.lens', 'supply-risk');
    await inputs.stop();
    expect(requests).toEqual([]);
    expect(live).toMatchObject({ grant: { id: 'g-live', state: 'granted' }, state: 'connecting' });
    expect(again.state).not.toBe('requested');
    expect(again.grant?.id).toBe('g-live');
    expect(paused).toMatchObject({ grant: { id: 'g-paused', state: 'suspended' }, state: 'suspended' });
  });

  it('asks anew for another purpose, or when the earlier grant has ended', async () => {
    const { client, requests } = fakeClearing([
      { id: 'g-old', state: 'revoked', dataset: 'euv.supply', consumer: me, purpose: 'supply-risk' },
    ]);
    const inputs = service(client);
    await inputs.request('euv.supply', 'supply-risk');
    await inputs.request('euv.supply', 'due-diligence');
    await inputs.stop();
    expect(requests.map((r) => r.purpose)).toEqual(['supply-risk', 'due-diligence']);
  });
});
