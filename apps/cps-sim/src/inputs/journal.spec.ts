import { describe, expect, it } from 'vitest';
import { canonicalCompare, DatasetJournal, parsePosition, type JournalEntry } from './journal.js';

const entry = (id: string, occurredAt: string, dataset = 'euv.supply', position = '0:0'): JournalEntry => ({
  event: { dataset, id, type: 'production', occurredAt, payload: {} },
  ...parsePosition(position),
  contractVersion: '1.0.0',
  originator: 'org-a',
});

describe('journal', () => {
  it('orders events by occurrence, dataset and id, whatever order they arrived in', () => {
    const a = entry('a', '2026-01-01T00:00:00Z', 'euv.supply', '2:5');
    const b = entry('b', '2026-01-01T00:00:00Z', 'euv.inventory', '0:9');
    const c = entry('c', '2026-01-02T00:00:00Z', 'euv.inventory', '0:1');
    const d = entry('d', '2026-01-01T00:00:00Z', 'euv.supply', '1:0');
    expect([c, d, a, b].sort(canonicalCompare).map((e) => e.event.id)).toEqual(['b', 'a', 'd', 'c']);
    expect([a, b, c, d].sort(canonicalCompare)).toEqual([d, c, b, a].sort(canonicalCompare));
  });

  it('keeps each event once (delivery is at least once) and where each partition resumes', () => {
    const journal = new DatasetJournal('euv.supply');
    expect(journal.add(entry('a', '2026-01-01T00:00:00Z', 'euv.supply', '0:3'))).toBe(true);
    expect(journal.add(entry('b', '2026-01-01T00:00:00Z', 'euv.supply', '1:7'))).toBe(true);
    expect(journal.add(entry('a', '2026-01-01T00:00:00Z', 'euv.supply', '0:3'))).toBe(false);
    expect(journal.size).toBe(2);
    expect(journal.after()).toEqual({ 0: '3', 1: '7' });
    expect(journal.lastEventId).toBe('b');
    journal.clear();
    expect([journal.size, journal.after(), journal.lastEventId]).toEqual([0, {}, null]);
  });
});
