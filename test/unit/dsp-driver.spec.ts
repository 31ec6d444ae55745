/**
 * The TCK run's driver (test/dsp/driver.ts) makes each test's scripted moves once, in order, in the state
 * the script names and only after the process has left the state of its previous move; it waits the
 * step's delay and the gap between two moves of one process, and leaves unknown processes alone.
 */
import { describe, expect, it } from 'vitest';
import type { RenkeiClient } from '@renkei/sdk';
import { Driver, type Observed } from '../dsp/driver.js';
import {
  providerNegotiations,
  providerTransfers,
  seedDataset,
  seedPrefix,
  type Step,
} from '../dsp/tck-script.js';

/** A management API with one list of processes whose states the test moves (as the TCK would). */
function fakeApi(options: { answerUnchanged?: boolean } = {}) {
  const processes: Observed[] = [];
  const moves: string[] = [];
  // answerUnchanged: the move's answer still shows the old state (the change is seen on a later poll).
  const answer = (id: string, state: string) => {
    const p = processes.find((x) => x.id === id)!;
    if (options.answerUnchanged) return { ...p };
    p.state = state;
    return { ...p };
  };
  const after: Record<string, string> = {
    offer: 'OFFERED',
    agree: 'AGREED',
    finalize: 'FINALIZED',
    terminate: 'TERMINATED',
    complete: 'COMPLETED',
    suspend: 'SUSPENDED',
  };
  const client = {
    negotiations: () => Promise.resolve(processes.map((p) => ({ ...p }))),
    transfers: () => Promise.resolve({ items: processes.map((p) => ({ ...p })) }),
    moveNegotiation: (id: string, action: string) => {
      moves.push(`${id} ${action}`);
      return Promise.resolve(answer(id, after[action] ?? 'REQUESTED'));
    },
    moveTransfer: (id: string, action: string) => {
      moves.push(`${id} ${action}`);
      return Promise.resolve(answer(id, after[action] ?? 'STARTED'));
    },
    suspendGrant: (grant: string) => Promise.resolve(void moves.push(`grant ${grant} suspend`)),
    resumeGrant: (grant: string) => Promise.resolve(void moves.push(`grant ${grant} resume`)),
    revokeGrant: (grant: string) => Promise.resolve(void moves.push(`grant ${grant} revoke`)),
  } as unknown as RenkeiClient;
  return { processes, moves, client };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls until the moves settle (each move is asynchronous to the poll that starts it). */
async function pollFor(driver: Driver, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    await driver.poll();
    await sleep(5);
  }
}

const stepsOf = (id: string): Step[] => providerNegotiations.find((t) => t.id === id)!.steps;

describe('the TCK driver', () => {
  it('offers on the request, then terminates only on the counter-offer that follows (CN:01-02)', async () => {
    const api = fakeApi();
    const driver = new Driver({
      name: 'test',
      client: api.client,
      kind: 'negotiation',
      side: 'provider',
      gapMs: 20,
      log: () => undefined,
      match: (p) =>
        p.dataset === 'tck.cn-01-02' ? { test: 'CN:01-02', steps: stepsOf('CN:01-02') } : undefined,
    });
    api.processes.push({ id: 'n1', state: 'REQUESTED', dataset: 'tck.cn-01-02' });
    await pollFor(driver, 60);
    // Offered once; still OFFERED: the termination waits for the counter-offer.
    expect(api.moves).toEqual(['n1 offer']);
    api.processes[0]!.state = 'REQUESTED';
    await pollFor(driver, 60);
    expect(api.moves).toEqual(['n1 offer', 'n1 terminate']);
    await pollFor(driver, 40);
    expect(api.moves).toHaveLength(2);
    expect(driver.pending()).toEqual([]);
  });

  it('does not take a state it has not left yet for the next step’s (a move seen late)', async () => {
    const api = fakeApi({ answerUnchanged: true });
    const driver = new Driver({
      name: 'test',
      client: api.client,
      kind: 'negotiation',
      side: 'provider',
      gapMs: 10,
      log: () => undefined,
      match: () => ({ test: 'CN:01-02', steps: stepsOf('CN:01-02') }),
    });
    api.processes.push({ id: 'n1', state: 'REQUESTED' });
    await pollFor(driver, 60);
    // Still REQUESTED after the offer: not the counter-offer yet.
    expect(api.moves).toEqual(['n1 offer']);
    api.processes[0]!.state = 'OFFERED';
    await pollFor(driver, 30);
    api.processes[0]!.state = 'REQUESTED';
    await pollFor(driver, 60);
    expect(api.moves).toEqual(['n1 offer', 'n1 terminate']);
  });

  it('waits a step’s delay in its state, and the gap between two moves of one process (CN:02-05)', async () => {
    const api = fakeApi();
    const steps = stepsOf('CN:02-05').map((s) => (s.delayMs ? { ...s, delayMs: 150 } : s));
    const driver = new Driver({
      name: 'test',
      client: api.client,
      kind: 'negotiation',
      side: 'provider',
      gapMs: 50,
      log: () => undefined,
      match: () => ({ test: 'CN:02-05', steps }),
    });
    api.processes.push({ id: 'n2', state: 'REQUESTED' });
    const started = Date.now();
    await pollFor(driver, 100);
    expect(api.moves).toEqual(['n2 offer']);
    await pollFor(driver, 250);
    expect(api.moves).toEqual(['n2 offer', 'n2 terminate']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('makes a transfer’s grant moves on its grant, each after the transfer has left the last state (TP:01-04)', async () => {
    const api = fakeApi();
    const steps = providerTransfers.find((t) => t.id === 'TP:01-04')!.steps;
    const driver = new Driver({
      name: 'test',
      client: api.client,
      kind: 'transfer',
      side: 'provider',
      gapMs: 10,
      log: () => undefined,
      match: (p) => (p.grantId === 'g1' ? { test: 'TP:01-04', steps } : undefined),
      grantOf: (p) => String(p.grantId),
    });
    api.processes.push({ id: 't1', state: 'STARTED', grantId: 'g1' });
    await pollFor(driver, 50);
    expect(api.moves).toEqual(['grant g1 suspend']);
    api.processes[0]!.state = 'SUSPENDED'; // the fan-out of the grant's suspension
    await pollFor(driver, 50);
    expect(api.moves).toEqual(['grant g1 suspend', 'grant g1 resume']);
    api.processes[0]!.state = 'STARTED';
    await pollFor(driver, 50);
    expect(api.moves).toEqual(['grant g1 suspend', 'grant g1 resume', 't1 complete']);
  });

  it('leaves processes that are no test’s alone, and reports the moves it could not make', async () => {
    const api = fakeApi();
    const driver = new Driver({
      name: 'test',
      client: api.client,
      kind: 'negotiation',
      side: 'provider',
      gapMs: 10,
      log: () => undefined,
      match: (p) =>
        p.dataset === 'tck.cn-01-03' ? { test: 'CN:01-03', steps: stepsOf('CN:01-03') } : undefined,
    });
    api.processes.push({ id: 'other', state: 'REQUESTED', dataset: 'battery.cfp' });
    api.processes.push({ id: 'n3', state: 'REQUESTED', dataset: 'tck.cn-01-03' });
    await pollFor(driver, 50);
    expect(api.moves).toEqual(['n3 offer']);
    expect(driver.pending()).toEqual([
      { test: 'CN:01-03', id: 'n3', waitingFor: 'agree in ACCEPTED', states: ['REQUESTED', 'OFFERED'] },
    ]);
  });
});

describe('the TCK seeds', () => {
  it('name each test’s keys and datasets as the TCK and the registry expect', () => {
    expect(seedPrefix('CN_C:01-02')).toBe('CN_C_01_02');
    expect(seedPrefix('TP:03-06')).toBe('TP_03_06');
    expect(seedDataset('CN_C:01-02')).toBe('tck.cnc-01-02');
    expect(seedDataset('CAT:01-03')).toBe('tck.cat-01-03');
  });
});
