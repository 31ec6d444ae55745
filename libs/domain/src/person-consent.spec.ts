import { describe, expect, it } from 'vitest';
import {
  consentStatus,
  evaluateConsent,
  MAX_PROVISION_DEPTH,
  normaliseConsent,
  type ConsentProvision,
  type ConsentUse,
  type PersonConsentView,
} from './person-consent.js';

const NOW = Date.parse('2026-11-21T07:00:00Z');
const consent = (over: Partial<PersonConsentView> = {}): PersonConsentView => ({
  originator: 'o-1',
  subjectRef: 'pt-1',
  consentId: 'fhir:c-1',
  dataset: 'health.admissions',
  decision: 'permit',
  provisions: [],
  validFrom: null,
  validUntil: null,
  recordedAt: '2026-11-01T00:00:00Z',
  ...over,
});
const use = (
  over: Partial<Omit<ConsentUse, 'record'>> & { record?: Partial<ConsentUse['record']> } = {},
) => ({
  dataset: 'health.admissions',
  purpose: 'health-research',
  recipient: 'lab',
  now: NOW,
  ...over,
  record: { type: 'admission', labels: [], at: Date.parse('2026-11-20T00:00:00Z'), ...over.record },
});
const status = (records: PersonConsentView[], u = use()) => consentStatus(records, u);
const permitExcept = (...provisions: ConsentProvision[]) => consent({ decision: 'permit', provisions });
const denyExcept = (...provisions: ConsentProvision[]) => consent({ decision: 'deny', provisions });

describe('person consent evaluation (FHIR R5: decision is the base, provisions are exceptions)', () => {
  it('says nothing without a consent, and gives the base decision when no exception applies', () => {
    expect(status([])).toBe('none');
    expect(status([consent()])).toBe('permit');
    expect(status([consent({ decision: 'deny' })])).toBe('deny');
  });

  it('reads "permit except treatment" as a deny for treatment and a permit for everything else', () => {
    const c = permitExcept({ purposes: ['treatment'] });
    expect(status([c], use({ purpose: 'treatment' }))).toBe('deny');
    // The v3-ActReason hierarchy: denying treatment also denies emergency treatment.
    expect(status([c], use({ purpose: 'emergency-treatment' }))).toBe('deny');
    expect(status([c], use({ purpose: 'health-research' }))).toBe('permit');
  });

  it('reads "deny except research" as an opt-out that still permits research (not a full opt-out)', () => {
    const c = denyExcept({ purposes: ['health-research'] });
    expect(status([c], use({ purpose: 'health-research' }))).toBe('permit');
    expect(status([c], use({ purpose: 'clinical-trial-research' }))).toBe('permit');
    expect(status([c], use({ purpose: 'treatment' }))).toBe('deny');
    expect(status([c], use({ purpose: 'marketing' }))).toBe('deny');
  });

  it('a permit exception for another purpose, recipient or period never widens a deny', () => {
    expect(status([denyExcept({ purposes: ['treatment'] })], use({ purpose: 'health-research' }))).toBe(
      'deny',
    );
    expect(status([denyExcept({ recipients: ['hospital-b'] })], use({ recipient: 'lab' }))).toBe('deny');
    expect(status([denyExcept({ recipients: ['lab'] })], use({ recipient: 'lab' }))).toBe('permit');
    const past = { start: '2025-01-01T00:00:00Z', end: '2025-12-31T00:00:00Z' };
    expect(status([denyExcept({ period: past })])).toBe('deny');
  });

  it('denies one recipient ("not this organisation") and permits the others', () => {
    const c = permitExcept({ recipients: ['lab'] });
    expect(status([c], use({ recipient: 'lab' }))).toBe('deny');
    expect(status([c], use({ recipient: 'other' }))).toBe('permit');
  });

  it('needs every scope of an exception to match: a deny for lab results to one recipient only', () => {
    const c = permitExcept({ recipients: ['lab'], recordTypes: ['observation'] });
    expect(status([c], use({ recipient: 'lab', record: { type: 'Observation' } }))).toBe('deny');
    expect(status([c], use({ recipient: 'lab', record: { type: 'admission' } }))).toBe('permit');
    expect(status([c], use({ recipient: 'other', record: { type: 'observation' } }))).toBe('permit');
  });

  it('withholds labelled records (e.g. HIV) and permits the rest', () => {
    const c = permitExcept({ labels: ['HIV'] });
    expect(status([c], use({ record: { labels: ['HIV', 'R'] } }))).toBe('deny');
    expect(status([c], use({ record: { labels: ['R'] } }))).toBe('permit');
  });

  it('denies records made in a data period ("not the data from 2015") and permits the others', () => {
    const c = permitExcept({ dataPeriod: { start: '2015-01-01T00:00:00Z', end: '2016-01-01T00:00:00Z' } });
    expect(status([c], use({ record: { at: Date.parse('2015-06-01T00:00:00Z') } }))).toBe('deny');
    expect(status([c], use({ record: { at: Date.parse('2016-06-01T00:00:00Z') } }))).toBe('permit');
  });

  it('reads a deny exception with a period as covering records made in it too (R5 notTime), a permit only uses', () => {
    const jan2015 = { start: '2015-01-01T00:00:00Z', end: '2015-02-01T00:00:00Z' };
    const c = permitExcept({ period: jan2015 });
    expect(status([c], use({ record: { at: Date.parse('2015-01-15T00:00:00Z') } }))).toBe('deny');
    expect(status([c], use({ record: { at: Date.parse('2015-03-01T00:00:00Z') } }))).toBe('permit');
    const d = denyExcept({ period: jan2015 });
    expect(status([d], use({ record: { at: Date.parse('2015-01-15T00:00:00Z') } }))).toBe('deny');
  });

  it('permits one record type only within a window of use (deny base, a 30-minute exception)', () => {
    const window = { start: '2026-11-21T07:00:00Z', end: '2026-11-21T07:30:00Z' };
    const c = denyExcept({ period: window, recordTypes: ['observation'] });
    expect(status([c], use({ record: { type: 'observation' } }))).toBe('permit');
    expect(
      status([c], use({ now: Date.parse('2026-11-21T07:30:00Z'), record: { type: 'observation' } })),
    ).toBe('deny');
    expect(
      status([c], use({ now: Date.parse('2026-11-21T06:59:59Z'), record: { type: 'observation' } })),
    ).toBe('deny');
    expect(status([c], use({ record: { type: 'admission' } }))).toBe('deny');
  });

  it('applies an action-scoped exception only when it covers delivery (access, use, disclose)', () => {
    expect(status([permitExcept({ actions: ['collect'] })])).toBe('permit');
    expect(status([permitExcept({ actions: ['collect', 'disclose'] })])).toBe('deny');
    expect(status([denyExcept({ actions: ['correct'] })])).toBe('deny');
  });

  it('reads a nested provision as an exception to its parent exception', () => {
    // Deny, except research; except (within research) for the data labelled PSY.
    const c = denyExcept({ purposes: ['health-research'], provisions: [{ labels: ['PSY'] }] });
    expect(status([c], use({ purpose: 'health-research' }))).toBe('permit');
    expect(status([c], use({ purpose: 'health-research', record: { labels: ['PSY'] } }))).toBe('deny');
    expect(status([c], use({ purpose: 'treatment', record: { labels: ['PSY'] } }))).toBe('deny');
    // Three levels: permit, except lab results, except lab results for the patient's own physician.
    const three = permitExcept({
      recordTypes: ['observation'],
      provisions: [{ recipients: ['gp'], provisions: [{ labels: ['HIV'] }] }],
    });
    expect(status([three], use({ recipient: 'gp', record: { type: 'observation' } }))).toBe('permit');
    expect(status([three], use({ recipient: 'gp', record: { type: 'observation', labels: ['HIV'] } }))).toBe(
      'deny',
    );
    expect(status([three], use({ recipient: 'lab', record: { type: 'observation' } }))).toBe('deny');
  });

  it('lets deny win when sibling exceptions disagree', () => {
    const c = denyExcept(
      { purposes: ['health-research'], provisions: [{ recipients: ['lab'] }] },
      { purposes: ['health-research'] },
    );
    expect(status([c], use({ recipient: 'lab' }))).toBe('deny');
    expect(status([c], use({ recipient: 'other' }))).toBe('permit');
  });

  it('reads a tree deeper than the import allows (a forged event) as a deny', () => {
    let deep: ConsentProvision = { purposes: ['health-research'] };
    for (let i = 0; i < MAX_PROVISION_DEPTH + 1; i++)
      deep = { purposes: ['health-research'], provisions: [deep] };
    expect(evaluateConsent(consent({ decision: 'deny', provisions: [deep] }), use())).toBe('deny');
    expect(evaluateConsent(consent({ decision: 'permit', provisions: [deep] }), use())).toBe('deny');
  });

  it('reads unreadable periods (a forged event) so that they never widen', () => {
    const bad = { start: 'not-a-date', end: null };
    expect(status([consent({ validFrom: 'not-a-date' })])).toBe('deny');
    expect(status([permitExcept({ period: bad })])).toBe('deny');
    expect(status([permitExcept({ dataPeriod: bad })])).toBe('deny');
    expect(status([denyExcept({ period: bad })])).toBe('deny');
    expect(status([denyExcept({ dataPeriod: bad })])).toBe('deny');
  });

  it('combines several consents in force with the most restrictive answer', () => {
    const deny = consent({ consentId: 'fhir:a', decision: 'deny' });
    const permit = consent({ consentId: 'fhir:b', decision: 'permit', recordedAt: '2026-11-20T00:00:00Z' });
    expect(status([deny, permit])).toBe('deny');
    expect(status([permit, deny])).toBe('deny');
    // An originator-wide deny is not overridden by a dataset-specific permit (nor the reverse).
    expect(status([consent({ consentId: 'a', dataset: '*', decision: 'deny' }), permit])).toBe('deny');
    expect(status([consent({ consentId: 'a', dataset: '*' }), deny])).toBe('deny');
    // One consent permitting research and another denying everything but treatment: research is denied.
    expect(
      status([
        consent({ consentId: 'x', decision: 'deny', provisions: [{ purposes: ['health-research'] }] }),
        consent({ consentId: 'y', decision: 'deny', provisions: [{ purposes: ['treatment'] }] }),
      ]),
    ).toBe('deny');
  });

  it('ignores consents out of their period, withdrawn, or for another dataset', () => {
    expect(status([consent({ decision: 'deny', validUntil: '2026-11-21T06:59:59Z' })])).toBe('none');
    expect(status([consent({ decision: 'deny', validFrom: '2026-11-22T00:00:00Z' })])).toBe('none');
    expect(status([consent({ decision: 'withdrawn' })])).toBe('none');
    expect(status([consent({ decision: 'deny', dataset: 'health.beds' })])).toBe('none');
    expect(status([consent({ decision: 'deny', dataset: '*' })])).toBe('deny');
  });

  it('reads an event from before provisions were kept conservatively', () => {
    const legacy = { ...consent(), consentId: undefined, provisions: undefined, purposes: ['treatment'] };
    const read = normaliseConsent(legacy as unknown as PersonConsentView);
    expect(read).toMatchObject({ decision: 'deny', consentId: 'legacy:health.admissions', provisions: [] });
    const plain = { ...consent(), consentId: undefined, provisions: undefined, purposes: [] };
    expect(normaliseConsent(plain as unknown as PersonConsentView).decision).toBe('permit');
  });
});
