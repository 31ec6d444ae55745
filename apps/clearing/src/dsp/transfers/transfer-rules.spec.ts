import { describe, expect, it } from 'vitest';
import type { GrantState, TransferState } from '@renkei/domain';
import { onGrantMove, onTransferRequest } from './transfer-rules.js';

describe('provider rules by grant state', () => {
  it('starts on a live grant, waits on a pending or suspended one, terminates on an ended one (TP:01-05)', () => {
    const expected: Record<GrantState, string> = {
      granted: 'start',
      requested: 'wait',
      suspended: 'wait',
      revoked: 'terminate',
      expired: 'terminate',
      rejected: 'terminate',
    };
    for (const [grant, reaction] of Object.entries(expected))
      expect(onTransferRequest(grant as GrantState), grant).toBe(reaction);
  });
});

describe('grant moves fanned out to transfers', () => {
  const states: TransferState[] = ['REQUESTED', 'STARTED', 'SUSPENDED', 'COMPLETED', 'TERMINATED'];

  it('a suspended grant suspends only started transfers', () => {
    expect(states.map((s) => onGrantMove('suspended', s, null))).toEqual([
      null,
      'suspension',
      null,
      null,
      null,
    ]);
  });

  it('a grant going live starts waiting transfers and the ones the provider suspended, not the consumer’s', () => {
    expect(onGrantMove('granted', 'REQUESTED', null)).toBe('start');
    expect(onGrantMove('granted', 'SUSPENDED', 'provider')).toBe('start');
    expect(onGrantMove('granted', 'SUSPENDED', 'consumer')).toBeNull();
    expect(onGrantMove('granted', 'STARTED', null)).toBeNull();
  });

  it('a revoked, expired or rejected grant terminates every transfer that has not ended', () => {
    for (const to of ['revoked', 'expired', 'rejected'] as const) {
      expect(states.map((s) => onGrantMove(to, s, 'provider'))).toEqual([
        'termination',
        'termination',
        'termination',
        null,
        null,
      ]);
    }
  });
});
