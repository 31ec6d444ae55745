import { describe, expect, it } from 'vitest';
import { DomainError } from '@renkei/domain';
import { parseOrThrow } from '@renkei/platform';
import { CompatibilityCheckSchema, RegisterContractSchema, registerExample } from './contracts.dto.js';

function detailsOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return { status: error.kind, details: error.details };
    throw error;
  }
  throw new Error('expected a DomainError');
}

// A loose semver pattern accepts these; the `semver` package, which orders every stored version, does not.
const notSemver = ['1.0.0-01', '1.0.0-.', '1.0.0-a..b'];

describe('contract versions are semantic versions as the semver package reads them', () => {
  it.each(notSemver)('refuses version %s with a 400 naming /version', (version) => {
    expect(detailsOf(() => parseOrThrow(RegisterContractSchema, { ...registerExample, version }))).toEqual({
      status: 'bad-request',
      details: [{ path: '/version', message: expect.stringContaining('semantic version') }],
    });
  });

  it.each(notSemver)('refuses lineage version %s with a 400 naming /lineage/0/version', (version) => {
    const input = { ...registerExample, lineage: [{ dataset: 'battery.cells', version }] };
    expect(detailsOf(() => parseOrThrow(RegisterContractSchema, input)).details).toEqual([
      { path: '/lineage/0/version', message: expect.stringContaining('semantic version') },
    ]);
  });

  it.each(notSemver)('refuses a compatibility check of version %s with a 400 naming /version', (version) => {
    const input = { version, schema: { type: 'object' } };
    expect(detailsOf(() => parseOrThrow(CompatibilityCheckSchema, input))).toEqual({
      status: 'bad-request',
      details: [{ path: '/version', message: expect.stringContaining('semantic version') }],
    });
  });

  it.each(['1.0.0', '2.10.3-rc.1', '1.0.0-alpha.0.beta'])('accepts %s', (version) => {
    expect(parseOrThrow(RegisterContractSchema, { ...registerExample, version }).version).toBe(version);
  });
});

describe('who approves grant requests', () => {
  it("defaults to the originator and accepts 'policy'", () => {
    const { approval: _approval, ...withoutApproval } = registerExample;
    expect(parseOrThrow(RegisterContractSchema, withoutApproval).approval).toBe('originator');
    expect(parseOrThrow(RegisterContractSchema, { ...registerExample, approval: 'policy' }).approval).toBe(
      'policy',
    );
  });

  it('refuses any other approver with a 400 naming /approval', () => {
    expect(
      detailsOf(() => parseOrThrow(RegisterContractSchema, { ...registerExample, approval: 'anyone' })),
    ).toEqual({
      status: 'bad-request',
      details: [{ path: '/approval', message: expect.stringContaining('policy') }],
    });
  });
});

describe('a received dataset names its external agreement', () => {
  const source = {
    agreementId: 'urn:uuid:agreement-1',
    provider: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
    dataset: 'urn:edc:asset:cells',
  };

  it('takes the agreement, the provider participant and its dataset id', () => {
    expect(parseOrThrow(RegisterContractSchema, { ...registerExample, source }).source).toEqual(source);
    expect(parseOrThrow(RegisterContractSchema, registerExample).source).toBeUndefined();
  });

  it('refuses a provider that is not a participant id, or an agreement with control characters', () => {
    expect(
      detailsOf(() =>
        parseOrThrow(RegisterContractSchema, {
          ...registerExample,
          source: { agreementId: 'a\u0000b', provider: 'BPNL000000000RNK' },
        }),
      ).details.map((d) => d.path),
    ).toEqual(['/source/agreementId', '/source/provider', '/source/dataset']);
  });
});
