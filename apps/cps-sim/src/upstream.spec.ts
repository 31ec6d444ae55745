import { describe, expect, it } from 'vitest';
import { DomainError } from '@renkei/domain';
import { RenkeiError } from '@renkei/sdk';
import { fromUpstream } from './upstream.js';

describe('fromUpstream', () => {
  it('relays a policy refusal with its rule and explanations, so the caller learns why', () => {
    const explanations = [
      {
        code: 'PURPOSE.NOT_ALLOWED',
        message: "purpose 'marketing' is not among the contract's purposes cfp-disclosure",
        params: { purpose: 'marketing' },
      },
    ];
    const upstream = new RenkeiError(403, 'PURPOSE.NOT_ALLOWED', 'The access request was denied by policy', {
      code: 'PURPOSE.NOT_ALLOWED',
      rule: 'PURPOSE.NOT_ALLOWED',
      explanation: explanations[0]!.message,
      explanations,
      hint: 'ask the owner',
    });
    const relayed = fromUpstream(upstream) as DomainError;
    expect(relayed).toBeInstanceOf(DomainError);
    expect([relayed.code, relayed.kind, relayed.hint]).toEqual([
      'PURPOSE.NOT_ALLOWED',
      'forbidden',
      'ask the owner',
    ]);
    expect(relayed.policy).toEqual({ rule: 'PURPOSE.NOT_ALLOWED', explanations });
  });

  it('relays other refusals without a policy part', () => {
    const relayed = fromUpstream(
      new RenkeiError(404, 'CONTRACT.NOT_FOUND', 'No such dataset', {}),
    ) as DomainError;
    expect([relayed.code, relayed.policy]).toEqual(['CONTRACT.NOT_FOUND', undefined]);
  });
});
