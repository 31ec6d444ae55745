import { describe, expect, it } from 'vitest';
import { applyObligations, pseudonym } from './obligations.js';
import { noObligations, type PolicyObligations } from './policy-engine.js';

const obligations = (o: Partial<PolicyObligations>): PolicyObligations => ({ ...noObligations(), ...o });

describe('field obligations', () => {
  const payload = { lotId: 'L1', unitPriceJpy: 9800, operator: 'Sato', cfp: 61.4 };

  it('drops fields and pseudonymises others, leaving the rest untouched', () => {
    const out = applyObligations(
      payload,
      obligations({ drop: ['unitPriceJpy'], pseudonymise: ['operator'] }),
      'k1',
    );
    expect(out).not.toHaveProperty('unitPriceJpy');
    expect(out?.operator).toMatch(/^ps_[A-Za-z0-9_-]{22}$/);
    expect(out).toMatchObject({ lotId: 'L1', cfp: 61.4 });
    expect(payload).toHaveProperty('unitPriceJpy'); // the original is not mutated
  });

  it('gives stable pseudonyms per key, different across keys', () => {
    const o = obligations({ pseudonymise: ['operator'] });
    const a = applyObligations(payload, o, 'grant-a');
    const b = applyObligations(payload, o, 'grant-a');
    const c = applyObligations(payload, o, 'grant-b');
    expect(a?.operator).toBe(b?.operator);
    expect(a?.operator).not.toBe(c?.operator);
    expect(a?.operator).toBe(pseudonym('Sato', 'grant-a'));
  });

  it('returns the payload itself when there is nothing to apply', () => {
    expect(applyObligations(payload, noObligations(), 'k1')).toBe(payload);
    expect(applyObligations(payload, noObligations(), 'k1', 'p-1')).toBe(payload);
  });

  it('leaves missing and null fields alone', () => {
    const out = applyObligations(
      { operator: null },
      obligations({ pseudonymise: ['operator', 'ghost'] }),
      'k',
    );
    expect(out).toEqual({ operator: null });
  });
});

describe('per-person obligations', () => {
  const record = { visitId: 'V1', patientName: 'Sato Hanako', diagnosis: 'J45', clinic: 'C-7' };
  const o = obligations({
    drop: ['clinic'],
    pseudonymise: ['diagnosis', 'patientName'],
    withhold: ['p-optout'],
    identify: ['p-permit'],
  });

  it('withholds the records of people who opted out', () => {
    expect(applyObligations(record, o, 'k', 'p-optout')).toBeNull();
  });

  it('delivers identified records with personal fields as they are, still without dropped fields', () => {
    expect(applyObligations(record, o, 'k', 'p-permit')).toEqual({
      visitId: 'V1',
      patientName: 'Sato Hanako',
      diagnosis: 'J45',
    });
  });

  it('pseudonymises everyone else, and records that name no person', () => {
    for (const subject of ['p-none', 'p-unlisted', undefined, null]) {
      const out = applyObligations(record, o, 'k', subject);
      expect(out).toEqual({
        visitId: 'V1',
        patientName: pseudonym('Sato Hanako', 'k'),
        diagnosis: pseudonym('J45', 'k'),
      });
    }
  });

  it('withholds even when there are no field obligations', () => {
    const only = obligations({ withhold: ['p-optout'] });
    expect(applyObligations(record, only, 'k', 'p-optout')).toBeNull();
    expect(applyObligations(record, only, 'k', 'p-other')).toBe(record);
  });

  it('gives an identified person no more than the others when nothing is pseudonymised', () => {
    const dropOnly = obligations({ drop: ['clinic'], identify: ['p-permit'] });
    expect(applyObligations(record, dropOnly, 'k', 'p-permit')).not.toHaveProperty('clinic');
  });
});
