import { describe, expect, it } from 'vitest';
import { historyStartMs } from './grant.js';

const validFrom = '2026-12-01T08:00:00.000Z';

describe('historyStartMs', () => {
  it("is 0 for 'all' and the given time otherwise", () => {
    expect(historyStartMs({ historyFrom: 'all', validFrom })).toBe(0);
    expect(historyStartMs({ historyFrom: '2026-11-01T00:00:00.000Z', validFrom })).toBe(
      Date.parse('2026-11-01T00:00:00.000Z'),
    );
  });

  it('never reaches back before validFrom when the term is missing or unreadable', () => {
    for (const historyFrom of [undefined, null, '', 'yesterday']) {
      expect(historyStartMs({ historyFrom, validFrom })).toBe(Date.parse(validFrom));
    }
  });
});
