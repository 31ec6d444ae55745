import { describe, expect, it } from 'vitest';
import { DomainError, isOnRecord } from '@renkei/domain';
import { decisionRecord, denied } from './decision-record.js';
import { explainedDecision, noObligations, type PolicyDecision, type PolicyInput } from './policy-engine.js';

const deny = (...reasons: string[]) => denied(explainedDecision(false, reasons), 'Publishing');

const purposeDenied: PolicyDecision = {
  allow: false,
  reasons: ['GRANT.EXPIRED', 'PURPOSE.NOT_ALLOWED'],
  rule: 'GRANT.EXPIRED',
  explanations: [
    {
      code: 'GRANT.EXPIRED',
      message: "grant 'g-1' ended at 1749999995000 (epoch ms), and now is 1750000000000",
      params: { grant: 'g-1', validUntil: 1749999995000, now: 1750000000000 },
    },
    {
      code: 'PURPOSE.NOT_ALLOWED',
      message: "purpose 'marketing' is not the grant's purpose 'logistics'",
      params: { purpose: 'marketing', grantPurpose: 'logistics' },
    },
  ],
  obligations: noObligations(),
};

describe('denied', () => {
  it("answers a deny with a 403 whose code is the policy's first reason, naming every reason", () => {
    const error = deny('GRANT.EXPIRED', 'PURPOSE.NOT_ALLOWED') as DomainError;
    expect(error).toBeInstanceOf(DomainError);
    expect([error.code, error.kind]).toEqual(['GRANT.EXPIRED', 'forbidden']);
    expect(error.message).toMatch(
      /^Publishing was denied by policy \(GRANT\.EXPIRED, PURPOSE\.NOT_ALLOWED\): /,
    );
    expect(isOnRecord(error)).toBe(true);
  });

  it('carries the rule and every explanation, and says them in its detail', () => {
    const error = denied(purposeDenied, 'Subscribing') as DomainError;
    expect(error.policy).toEqual({ rule: 'GRANT.EXPIRED', explanations: purposeDenied.explanations });
    expect(error.message).toBe(
      "Subscribing was denied by policy (GRANT.EXPIRED, PURPOSE.NOT_ALLOWED): grant 'g-1' ended at " +
        "1749999995000 (epoch ms), and now is 1750000000000; purpose 'marketing' is not the grant's purpose 'logistics'",
    );
  });

  it('answers a reason the error catalogue does not know as POLICY.DENIED, still naming it', () => {
    const error = deny('SOMETHING.NEW') as DomainError;
    expect([error.code, error.kind]).toEqual(['POLICY.DENIED', 'forbidden']);
    expect(error.message).toContain('SOMETHING.NEW');
    expect(error.policy?.rule).toBe('SOMETHING.NEW');
  });

  it('answers a deny without reasons as POLICY.DENIED, explained as such', () => {
    const error = deny() as DomainError;
    expect([error.code, error.message]).toEqual([
      'POLICY.DENIED',
      'Publishing was denied by policy (POLICY.DENIED): no rule of the policy allows it',
    ]);
    expect(error.policy?.explanations.map((e) => e.code)).toEqual(['POLICY.DENIED']);
  });

  it('answers a dataset the caller may not see like a missing one (404 CONTRACT.NOT_FOUND), explaining nothing', () => {
    const error = deny('CONTRACT.NOT_VISIBLE', 'RESIDENCY.VIOLATION') as DomainError;
    expect([error.code, error.kind]).toEqual(['CONTRACT.NOT_FOUND', 'not-found']);
    expect(error.policy).toBeUndefined();
    expect(error.message).not.toContain('NOT_VISIBLE');
  });
});

describe('decisionRecord', () => {
  it('stores the rule and the explanations with the reasons, input and revision', () => {
    const input = {
      action: 'subscribe',
      now: 1_750_000_000_000,
      subject: { id: 'org-b' },
      contract: { dataset: 'ds.orders' },
      grant: { id: 'g-1' },
    } as unknown as PolicyInput;
    const record = decisionRecord('exchange', input, purposeDenied, 'rego-abc', { traceId: 't-1' });
    expect(record).toMatchObject({
      service: 'exchange',
      action: 'subscribe',
      requestedBy: 'org-b',
      dataset: 'ds.orders',
      grantId: 'g-1',
      allow: false,
      reasons: ['GRANT.EXPIRED', 'PURPOSE.NOT_ALLOWED'],
      rule: 'GRANT.EXPIRED',
      explanations: purposeDenied.explanations,
      policyRevision: 'rego-abc',
      decidedAt: '2025-06-15T15:06:40.000Z',
      traceId: 't-1',
    });
  });
});
