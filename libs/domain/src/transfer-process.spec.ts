import { describe, expect, it } from 'vitest';
import { PlatformProjection } from './projection.js';
import {
  TransferMessages,
  TransferStates,
  transferMove,
  transferTargets,
  type TransferMessage,
  type TransferState,
} from './transfer-process.js';
import type { TransferView } from './events.js';

/** The DSP 2025-1 transfer machine as the TCK's reference connector enforces it (docs/interop-tck-notes.md). */
const legal: Record<TransferState, TransferState[]> = {
  REQUESTED: ['STARTED', 'TERMINATED'],
  STARTED: ['SUSPENDED', 'COMPLETED', 'TERMINATED'],
  SUSPENDED: ['STARTED', 'TERMINATED'],
  COMPLETED: [],
  TERMINATED: [],
};
const target: Record<TransferMessage, TransferState> = {
  start: 'STARTED',
  suspension: 'SUSPENDED',
  completion: 'COMPLETED',
  termination: 'TERMINATED',
};

describe('transfer process machine', () => {
  it('allows exactly the moves of the table, for the provider', () => {
    for (const from of TransferStates) {
      expect([...transferTargets(from)].sort()).toEqual([...legal[from]].sort());
      for (const message of TransferMessages) {
        const move = transferMove(from, message, 'provider', 'provider');
        expect(move.ok, `${from} --${message}--> ${target[message]}`).toBe(
          legal[from].includes(target[message]),
        );
        expect(move.to).toBe(target[message]);
      }
    }
  });

  it('refuses every move out of a final state, saying it is final', () => {
    for (const from of ['COMPLETED', 'TERMINATED'] as const) {
      for (const message of TransferMessages) {
        const move = transferMove(from, message, 'consumer');
        expect(move.ok).toBe(false);
        if (!move.ok) expect(move.reason).toContain('final');
      }
    }
  });

  it('the TCK negative cases are refused (TP:03-01..06)', () => {
    expect(transferMove('REQUESTED', 'completion', 'consumer').ok).toBe(false); // 03-01
    expect(transferMove('REQUESTED', 'suspension', 'consumer').ok).toBe(false); // 03-02
    expect(transferMove('SUSPENDED', 'completion', 'consumer', 'consumer').ok).toBe(false); // 03-03
    expect(transferMove('TERMINATED', 'start', 'consumer').ok).toBe(false); // 03-04
    expect(transferMove('TERMINATED', 'suspension', 'consumer').ok).toBe(false); // 03-05
    expect(transferMove('TERMINATED', 'completion', 'consumer').ok).toBe(false); // 03-06
  });

  it('only the provider starts a requested transfer', () => {
    expect(transferMove('REQUESTED', 'start', 'consumer').ok).toBe(false);
    expect(transferMove('REQUESTED', 'start', 'provider').ok).toBe(true);
  });

  it('a suspended transfer is started again by the party that suspended it', () => {
    expect(transferMove('SUSPENDED', 'start', 'consumer', 'consumer').ok).toBe(true);
    expect(transferMove('SUSPENDED', 'start', 'provider', 'provider').ok).toBe(true);
    const move = transferMove('SUSPENDED', 'start', 'consumer', 'provider');
    expect(move.ok).toBe(false);
    if (!move.ok) expect(move.reason).toContain('provider suspended');
    expect(transferMove('SUSPENDED', 'start', 'provider', 'consumer').ok).toBe(false);
  });

  it('either party suspends, completes or terminates', () => {
    for (const by of ['provider', 'consumer'] as const) {
      expect(transferMove('STARTED', 'suspension', by).ok).toBe(true);
      expect(transferMove('STARTED', 'completion', by).ok).toBe(true);
      expect(transferMove('REQUESTED', 'termination', by).ok).toBe(true);
      expect(transferMove('SUSPENDED', 'termination', by).ok).toBe(true);
    }
  });
});

describe('transfers in the projection', () => {
  const view = (state: TransferState, tokenId: string | null = null): TransferView => ({
    id: 't1',
    grantId: 'g1',
    dataset: 'battery.cfp',
    consumer: 'peer',
    state,
    tokenId,
    changedAt: '2026-12-02T17:00:00.000Z',
  });

  it('keeps live transfers and drops ended ones, telling listeners either way', () => {
    const state = new PlatformProjection();
    const seen: string[] = [];
    state.onEvent((e) => void (e.type === 'transfer.changed' && seen.push(e.transfer.state)));
    state.apply({ type: 'transfer.changed', transfer: view('STARTED', 'jti-1'), reason: null });
    expect(state.transfers.get('t1')?.tokenId).toBe('jti-1');
    state.apply({ type: 'transfer.changed', transfer: view('SUSPENDED'), reason: null });
    expect(state.transfers.get('t1')?.state).toBe('SUSPENDED');
    state.apply({ type: 'transfer.changed', transfer: view('TERMINATED'), reason: 'done' });
    expect(state.transfers.has('t1')).toBe(false);
    expect(seen).toEqual(['STARTED', 'SUSPENDED', 'TERMINATED']);
  });
});
