/**
 * Live checks of the legal identifiers, the same rules the registry applies (libs/domain identity.ts), so
 * the admin sees a wrong check digit on the field while typing. Each answers an i18n key (namespace admin)
 * with its values, or undefined when the value is fine.
 */
import { corporateNumberCheckDigit } from '@renkei/domain';

export interface FieldProblem {
  key: string;
  values?: Record<string, string | number>;
}

/** 法人番号: 13 digits, the first a check digit over the other twelve. */
export function corporateNumberProblem(value: string): FieldProblem | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  if (!/^\d*$/.test(v)) return { key: 'onboard.errors.corporateNumberDigits' };
  if (v.length !== 13) return { key: 'onboard.errors.corporateNumberLength', values: { count: v.length } };
  const expected = corporateNumberCheckDigit(v.slice(1));
  if (Number(v[0]) !== expected)
    return { key: 'onboard.errors.corporateNumberCheck', values: { given: v[0]!, expected } };
  return undefined;
}

/** ISO 17442 LEI: 18 alphanumerics + 2 check digits, ISO 7064 MOD 97-10. */
export function leiProblem(value: string): FieldProblem | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  if (!/^[A-Z0-9]{18}\d{2}$/.test(v)) return { key: 'onboard.errors.leiFormat' };
  const digits = v.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let remainder = 0;
  for (const ch of digits) remainder = (remainder * 10 + Number(ch)) % 97;
  return remainder === 1 ? undefined : { key: 'onboard.errors.leiCheck' };
}

/** Catena-X business partner number of a legal entity: BPNL + 12 alphanumerics. */
export function bpnProblem(value: string): FieldProblem | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  return /^BPNL[A-Z0-9]{12}$/.test(v) ? undefined : { key: 'onboard.errors.bpnFormat' };
}

export const INDUSTRY_PATTERN = /^[a-z][a-z0-9-]{1,60}$/;
