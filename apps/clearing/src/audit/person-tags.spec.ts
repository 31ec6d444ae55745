import { describe, expect, it } from 'vitest';
import { tagOf, valueTagOf } from './person-tags.js';

describe('person tags on the audit chain', () => {
  const key = new Uint8Array(32).fill(7);
  const other = new Uint8Array(32).fill(8);

  it('is stable for one key, person and originator (the originator can look a tag up again)', () => {
    expect(tagOf(key, 'hosp', 'pt-1')).toBe(tagOf(key, 'hosp', 'pt-1'));
    expect(tagOf(key, 'hosp', 'pt-1')).toMatch(/^pr_[A-Za-z0-9_-]{32}$/);
  });

  it('cannot be recomputed without the key, nor links two originators’ persons', () => {
    expect(tagOf(other, 'hosp', 'pt-1')).not.toBe(tagOf(key, 'hosp', 'pt-1'));
    expect(tagOf(key, 'clinic', 'pt-1')).not.toBe(tagOf(key, 'hosp', 'pt-1'));
    expect(tagOf(key, 'hosp', 'pt-1')).not.toContain('pt-1');
  });

  it('tags other values about the person (a FHIR id that embeds the patient id) under the same key', () => {
    expect(valueTagOf(key, 'fhir:consent-pt-1')).toMatch(/^pv_/);
    expect(valueTagOf(key, 'fhir:consent-pt-1')).not.toContain('pt-1');
    expect(valueTagOf(other, 'fhir:consent-pt-1')).not.toBe(valueTagOf(key, 'fhir:consent-pt-1'));
  });
});
