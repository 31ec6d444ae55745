import { describe, expect, it } from 'vitest';
import {
  assertLegalIdentifiers,
  corporateNumberCheckDigit,
  isValidBpn,
  isValidCorporateNumber,
  isValidLei,
} from './identity.js';
import { DomainError } from './errors.js';

describe('corporate numbers (法人番号)', () => {
  it('accepts published numbers whose first digit is the check digit', () => {
    expect(isValidCorporateNumber('7000012050002')).toBe(true); // National Tax Agency
    expect(isValidCorporateNumber('1180301018771')).toBe(true); // a listed automaker
  });

  it('computes the check digit as 9 - (weighted sum mod 9)', () => {
    expect(corporateNumberCheckDigit('000012050002')).toBe(7);
  });

  it('refuses a wrong check digit, wrong length and non-digits', () => {
    expect(isValidCorporateNumber('8000012050002')).toBe(false);
    expect(isValidCorporateNumber('700001205000')).toBe(false);
    expect(isValidCorporateNumber('70000120500O2')).toBe(false);
  });

  it('names the failing field and the expected check digit', () => {
    const error = (() => {
      try {
        assertLegalIdentifiers({ corporateNumber: '8000012050002' });
      } catch (e) {
        return e as DomainError;
      }
    })();
    expect(error?.code).toBe('PARTICIPANT.INVALID_IDENTIFIER');
    expect(error?.details).toEqual([{ path: '/corporateNumber', message: 'check digit is 8, expected 7' }]);
  });

  it('requires at least one legal identifier', () => {
    expect(() => assertLegalIdentifiers({})).toThrow(DomainError);
  });
});

describe('overseas identifiers', () => {
  it('validates LEIs by ISO 7064 MOD 97-10', () => {
    expect(isValidLei('5493001KJTIIGC8Y1R12')).toBe(true);
    expect(isValidLei('5493001KJTIIGC8Y1R13')).toBe(false);
  });

  it('validates the Catena-X BPNL format', () => {
    expect(isValidBpn('BPNL00000003AYRE')).toBe(true);
    expect(isValidBpn('BPNS00000003AYRE')).toBe(false);
  });
});
