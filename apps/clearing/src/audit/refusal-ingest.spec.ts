import { describe, expect, it } from 'vitest';
import type { RefusalRecord } from '@renkei/domain';
import { refusalEntry } from './audit-log.js';
import { isDecisionRecord } from './decision-ingest.js';
import { parseRefusal } from './refusal-ingest.js';

const record: RefusalRecord = {
  id: '7a0b0c0d-0000-4000-8000-000000000001',
  service: 'registry',
  category: 'ownership',
  status: 404,
  code: 'CONTRACT.NOT_FOUND',
  method: 'GET',
  route: '/contracts/:dataset',
  participant: 'c0a80101-0000-4000-8000-000000000002',
  claimed: null,
  ip: '10.0.0.1',
  traceId: null,
  targets: [{ type: 'dataset', id: 'battery.cfp' }],
  count: 3,
  firstAt: '2026-12-02T06:00:00.000Z',
  lastAt: '2026-12-02T06:00:00.900Z',
};
const buf = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('parseRefusal (messages from other services are input)', () => {
  it('accepts a well-formed record', () => {
    expect(parseRefusal(buf(record))).toEqual(record);
  });

  it.each([
    ['not JSON', '\u00ff\u00fe'],
    ['null', 'null'],
    ['an array', '[]'],
    ['an id that is not a uuid', { ...record, id: 'x' }],
    ['no count', { ...record, count: undefined }],
    ['a negative count', { ...record, count: -1 }],
    ['a bad time', { ...record, lastAt: 'never' }],
    ['no targets', { ...record, targets: 'all' }],
    ['an overlong code', { ...record, code: 'X'.repeat(81) }],
  ])('skips %s', (_what, value) => {
    expect(parseRefusal(buf(value))).toBeNull();
  });

  it('records the verified actor, or unauthenticated, and keeps the target out of the dataset column', () => {
    expect(refusalEntry(record)).toMatchObject({
      kind: 'security.refusal',
      actorId: record.participant,
      dataset: null,
      allow: false,
      at: new Date(record.lastAt),
    });
    expect(refusalEntry({ ...record, participant: null }).actorId).toBe('unauthenticated');
  });
});

describe('isDecisionRecord', () => {
  const decision = {
    decisionId: '7a0b0c0d-0000-4000-8000-000000000002',
    requestedBy: 'p',
    allow: true,
    decidedAt: '2026-12-02T06:00:00.000Z',
    dataset: 'battery.cfp',
    grantId: null,
  };
  it('accepts what the chain entry needs, and refuses what would fail the ingest batch', () => {
    expect(isDecisionRecord(decision)).toBe(true);
    expect(isDecisionRecord({ ...decision, decisionId: 42 })).toBe(false);
    expect(isDecisionRecord({ ...decision, decisionId: 'not-a-uuid' })).toBe(false);
    expect(isDecisionRecord({ ...decision, decidedAt: 'never' })).toBe(false);
    expect(isDecisionRecord({ ...decision, allow: 'yes' })).toBe(false);
    expect(isDecisionRecord(null)).toBe(false);
    expect(isDecisionRecord([])).toBe(false);
  });
});
