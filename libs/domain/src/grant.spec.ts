import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, finalGrantStates, GrantStates, type GrantState } from './grant.js';

describe('grant state machine', () => {
  it('lets a requested grant be granted, rejected or withdrawn', () => {
    expect(canTransition('requested', 'granted')).toBe(true);
    expect(canTransition('requested', 'rejected')).toBe(true);
    expect(canTransition('requested', 'revoked')).toBe(true);
  });

  it('moves between granted and suspended both ways', () => {
    expect(canTransition('granted', 'suspended')).toBe(true);
    expect(canTransition('suspended', 'granted')).toBe(true);
  });

  it('never leaves a final state', () => {
    for (const from of finalGrantStates) {
      for (const to of Object.keys(GrantStates) as GrantState[]) expect(canTransition(from, to)).toBe(false);
    }
  });

  it('refuses an illegal move with a conflict that says what is possible', () => {
    expect(() => assertTransition('revoked', 'granted')).toThrow(
      expect.objectContaining({ code: 'GRANT.ILLEGAL_TRANSITION', kind: 'conflict' }),
    );
    expect(() => assertTransition('requested', 'suspended')).toThrow(/cannot become 'suspended'/);
  });
});
