import { describe, expect, it } from 'vitest';
import { consentStatus, type PersonConsentView } from './person-consent.js';

const now = Date.parse('2026-11-21T07:00:00Z');
const record = (over: Partial<PersonConsentView>): PersonConsentView => ({
  originator: 'hospital',
  subjectRef: 'pt-1',
  dataset: '*',
  decision: 'permit',
  purposes: [],
  validFrom: null,
  validUntil: null,
  recordedAt: '2026-11-01T00:00:00Z',
  ...over,
});

describe('a person’s consent for one use', () => {
  it('is none without a record', () => {
    expect(consentStatus([], 'health.admissions', 'health-research', now)).toBe('none');
  });

  it('lets a dataset-specific record override the originator-wide one', () => {
    const records = [record({ decision: 'deny' }), record({ dataset: 'health.admissions' })];
    expect(consentStatus(records, 'health.admissions', 'x', now)).toBe('permit');
    expect(consentStatus(records, 'health.beds', 'x', now)).toBe('deny');
  });

  it('permits only the purposes named, and every purpose when none is named', () => {
    expect(consentStatus([record({ purposes: ['health-research'] })], 'd', 'health-research', now)).toBe(
      'permit',
    );
    expect(consentStatus([record({ purposes: ['health-research'] })], 'd', 'marketing', now)).toBe('none');
    expect(consentStatus([record({})], 'd', 'anything', now)).toBe('permit');
  });

  it('applies an opt-out to every purpose', () => {
    expect(consentStatus([record({ decision: 'deny', purposes: ['treatment'] })], 'd', 'research', now)).toBe(
      'deny',
    );
  });

  it('ignores records outside their period and withdrawn ones', () => {
    expect(consentStatus([record({ validUntil: '2026-11-21T06:59:59Z' })], 'd', 'p', now)).toBe('none');
    expect(consentStatus([record({ validFrom: '2026-11-22T00:00:00Z' })], 'd', 'p', now)).toBe('none');
    expect(consentStatus([record({ decision: 'withdrawn' })], 'd', 'p', now)).toBe('none');
  });
});
