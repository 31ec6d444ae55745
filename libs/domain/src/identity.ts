import { badRequest } from './errors.js';

/**
 * Japanese corporate number (法人番号): 13 digits, the first is a check digit over the other twelve:
 * check = 9 - (Σ P_n × Q_n mod 9), P_n the n-th digit counted from the right, Q_n = 1 for odd n, 2 for even n.
 */
export function corporateNumberCheckDigit(base12: string): number {
  let sum = 0;
  for (let n = 1; n <= 12; n++) {
    const digit = Number(base12[12 - n]);
    sum += digit * (n % 2 === 1 ? 1 : 2);
  }
  return 9 - (sum % 9);
}

export function isValidCorporateNumber(value: string): boolean {
  if (!/^\d{13}$/.test(value)) return false;
  return Number(value[0]) === corporateNumberCheckDigit(value.slice(1));
}

/** ISO 17442 LEI: 18 alphanumerics + 2 check digits, ISO 7064 MOD 97-10. */
export function isValidLei(value: string): boolean {
  if (!/^[A-Z0-9]{18}\d{2}$/.test(value)) return false;
  const digits = value.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let remainder = 0;
  for (const ch of digits) remainder = (remainder * 10 + Number(ch)) % 97;
  return remainder === 1;
}

/** Catena-X Business Partner Number for a legal entity: BPNL + 12 alphanumerics. */
export function isValidBpn(value: string): boolean {
  return /^BPNL[A-Z0-9]{12}$/.test(value);
}

export interface LegalIdentifiers {
  corporateNumber?: string | null;
  lei?: string | null;
  bpn?: string | null;
}

/** Throws a 400-kind error naming the failing field; at least one identifier is required. */
export function assertLegalIdentifiers(ids: LegalIdentifiers, basePath = ''): void {
  const details = [];
  if (ids.corporateNumber != null && !isValidCorporateNumber(ids.corporateNumber)) {
    details.push({
      path: `${basePath}/corporateNumber`,
      message: /^\d{13}$/.test(ids.corporateNumber)
        ? `check digit is ${ids.corporateNumber[0]}, expected ${corporateNumberCheckDigit(ids.corporateNumber.slice(1))}`
        : 'must be exactly 13 digits',
    });
  }
  if (ids.lei != null && !isValidLei(ids.lei)) {
    details.push({
      path: `${basePath}/lei`,
      message: 'not a valid ISO 17442 LEI (20 characters, MOD 97 check)',
    });
  }
  if (ids.bpn != null && !isValidBpn(ids.bpn)) {
    details.push({ path: `${basePath}/bpn`, message: 'not a valid Catena-X BPNL (BPNL + 12 alphanumerics)' });
  }
  if (ids.corporateNumber == null && ids.lei == null && ids.bpn == null) {
    details.push({
      path: `${basePath}/corporateNumber`,
      message: 'one of corporateNumber, lei or bpn is required',
    });
  }
  if (details.length > 0) {
    throw badRequest('PARTICIPANT.INVALID_IDENTIFIER', 'The legal identifier is not valid', details);
  }
}
