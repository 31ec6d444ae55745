import { describe, expect, it } from 'vitest';
import { DomainError, isOnRecord } from '@renkei/domain';
import { denied } from './decision-record.js';
import { noObligations } from './policy-engine.js';

const deny = (...reasons: string[]) =>
  denied({ allow: false, reasons, obligations: noObligations() }, 'Publishing');

describe('denied', () => {
  it("answers a deny with a 403 whose code is the policy's first reason, naming every reason", () => {
    const error = deny('GRANT.EXPIRED', 'PURPOSE.NOT_ALLOWED') as DomainError;
    expect(error).toBeInstanceOf(DomainError);
    expect([error.code, error.kind]).toEqual(['GRANT.EXPIRED', 'forbidden']);
    expect(error.message).toBe('Publishing was denied by policy: GRANT.EXPIRED, PURPOSE.NOT_ALLOWED');
    expect(isOnRecord(error)).toBe(true);
  });

  it('answers a reason the error catalogue does not know as POLICY.DENIED, still naming it', () => {
    const error = deny('SOMETHING.NEW') as DomainError;
    expect([error.code, error.kind]).toEqual(['POLICY.DENIED', 'forbidden']);
    expect(error.message).toContain('SOMETHING.NEW');
  });

  it('answers a deny without reasons as POLICY.DENIED', () => {
    const error = deny() as DomainError;
    expect([error.code, error.message]).toEqual([
      'POLICY.DENIED',
      'Publishing was denied by policy: no rule allows it',
    ]);
  });

  it('answers a dataset the caller may not see like a missing one (404 CONTRACT.NOT_FOUND)', () => {
    const error = deny('CONTRACT.NOT_VISIBLE', 'RESIDENCY.VIOLATION') as DomainError;
    expect([error.code, error.kind]).toEqual(['CONTRACT.NOT_FOUND', 'not-found']);
  });
});
