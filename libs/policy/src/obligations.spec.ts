import { describe, expect, it } from 'vitest';
import { applyObligations } from './obligations.js';

describe('field obligations', () => {
  const payload = { lotId: 'L1', unitPriceJpy: 9800, operator: 'Sato', cfp: 61.4 };

  it('drops fields and pseudonymises others, leaving the rest untouched', () => {
    const out = applyObligations(payload, { drop: ['unitPriceJpy'], pseudonymise: ['operator'] }, 'k1');
    expect(out).not.toHaveProperty('unitPriceJpy');
    expect(out.operator).toMatch(/^ps_[A-Za-z0-9_-]{22}$/);
    expect(out).toMatchObject({ lotId: 'L1', cfp: 61.4 });
    expect(payload).toHaveProperty('unitPriceJpy'); // the original is not mutated
  });

  it('gives stable pseudonyms per key, different across keys', () => {
    const a = applyObligations(payload, { drop: [], pseudonymise: ['operator'] }, 'grant-a');
    const b = applyObligations(payload, { drop: [], pseudonymise: ['operator'] }, 'grant-a');
    const c = applyObligations(payload, { drop: [], pseudonymise: ['operator'] }, 'grant-b');
    expect(a.operator).toBe(b.operator);
    expect(a.operator).not.toBe(c.operator);
  });
});
