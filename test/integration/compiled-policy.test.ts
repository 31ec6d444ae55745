/**
 * The compiled policy bundle (policies/build/policy.wasm, built by `npm run policy:build`) evaluated in
 * process through @open-policy-agent/opa-wasm, with inputs built exactly as the services build them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PlatformProjection, type GrantView } from '#libs/domain';
import { buildPolicyInput, PolicyEngine, readPolicyBundle } from '#libs/policy';
import { batteryCfpContract } from '../fixtures/battery-cfp.js';

const root = new URL('../..', import.meta.url).pathname;
const now = new Date('2026-11-21T09:00:00Z');

function state(): PlatformProjection {
  const s = new PlatformProjection();
  const member = (id: string, industry: string, country = 'JP') =>
    s.apply({
      type: 'participant.upserted',
      participant: {
        id,
        legalName: id,
        industry,
        country,
        roles: ['member'],
        certifications: [],
        protection: 'access-control',
        status: 'active',
        jwks: { keys: [] },
      },
    });
  member('cell', 'battery-cells');
  member('auto', 'automotive');
  member('rival', 'battery-cells');
  member('abroad', 'automotive', 'DE');
  s.apply({
    type: 'contract.published',
    contract: {
      ...batteryCfpContract,
      owner: 'cell',
      status: 'active',
      sensitivity: 'confidential',
    } as never,
  });
  return s;
}

const grant = (consumer: string, over: Partial<GrantView> = {}): GrantView => ({
  id: `g-${consumer}`,
  state: 'granted',
  originator: 'cell',
  consumer,
  dataset: 'battery.cfp',
  purpose: 'cfp-disclosure',
  fields: null,
  validFrom: '2026-11-01T00:00:00Z',
  validUntil: '2027-03-31T00:00:00Z',
  changedAt: '2026-11-01T00:00:00Z',
  ...over,
});

describe('the compiled policy bundle', () => {
  let policy: PolicyEngine;
  beforeAll(async () => {
    policy = await PolicyEngine.load(await readPolicyBundle(`${root}/policies/build`));
  });

  const decide = (s: PlatformProjection, req: Parameters<typeof buildPolicyInput>[1]) =>
    policy.decide(buildPolicyInput(s, req));

  it('carries the revision the build stamped', () => {
    expect(policy.revision).toMatch(/^rego-[0-9a-f]{16}$/);
  });

  it('lets the owner publish and nobody else', () => {
    const s = state();
    expect(decide(s, { action: 'publish', subjectId: 'cell', dataset: 'battery.cfp', now }).allow).toBe(true);
    expect(decide(s, { action: 'publish', subjectId: 'auto', dataset: 'battery.cfp', now })).toMatchObject({
      allow: false,
      reasons: ['SUBJECT.NOT_OWNER'],
    });
  });

  it('decides a publish on the contract version the events claim, not only the current one', () => {
    const s = state();
    const retired = { ...batteryCfpContract, version: '0.9.0', owner: 'cell', status: 'retired' } as never;
    s.apply({ type: 'contract.published', contract: retired });
    expect(decide(s, { action: 'publish', subjectId: 'cell', dataset: 'battery.cfp', now }).allow).toBe(true);
    expect(
      decide(s, { action: 'publish', subjectId: 'cell', dataset: 'battery.cfp', contract: retired, now }),
    ).toMatchObject({
      allow: false,
      reasons: ['CONTRACT.NOT_ACTIVE'],
    });
  });

  it('binds a grant request to the contract purposes', () => {
    const s = state();
    expect(
      decide(s, {
        action: 'grant.request',
        subjectId: 'auto',
        dataset: 'battery.cfp',
        purpose: 'cfp-disclosure',
        now,
      }).allow,
    ).toBe(true);
    expect(
      decide(s, {
        action: 'grant.request',
        subjectId: 'auto',
        dataset: 'battery.cfp',
        purpose: 'price-benchmarking',
        now,
      }),
    ).toMatchObject({ allow: false, reasons: ['PURPOSE.NOT_ALLOWED'] });
  });

  it('delivers to a consumer in another industry with every field', () => {
    expect(
      decide(state(), {
        action: 'deliver',
        subjectId: 'auto',
        dataset: 'battery.cfp',
        grant: grant('auto'),
        now,
      }),
    ).toEqual({ allow: true, reasons: [], obligations: { drop: [], pseudonymise: [] } });
  });

  it('drops competitive fields for a consumer in the originator’s industry', () => {
    expect(
      decide(state(), {
        action: 'deliver',
        subjectId: 'rival',
        dataset: 'battery.cfp',
        grant: grant('rival'),
        now,
      }),
    ).toMatchObject({ allow: true, obligations: { drop: ['unitPriceJpy'] } });
  });

  it('drops the fields the grant does not cover', () => {
    const d = decide(state(), {
      action: 'deliver',
      subjectId: 'auto',
      dataset: 'battery.cfp',
      grant: grant('auto', { fields: ['lotId', 'cfpKgCo2ePerKwh'] }),
      now,
    });
    expect(d.obligations.drop).toEqual(['cellModel', 'unitPriceJpy']);
  });

  it('denies delivery under a revoked, suspended, expired or someone else’s grant', () => {
    const s = state();
    expect(
      decide(s, {
        action: 'deliver',
        subjectId: 'auto',
        dataset: 'battery.cfp',
        grant: grant('auto', { state: 'revoked' }),
        now,
      }).reasons,
    ).toContain('GRANT.NOT_ACTIVE');
    expect(
      decide(s, {
        action: 'deliver',
        subjectId: 'auto',
        dataset: 'battery.cfp',
        grant: grant('auto', { state: 'suspended' }),
        now,
      }).reasons,
    ).toContain('GRANT.NOT_ACTIVE');
    expect(
      decide(s, {
        action: 'deliver',
        subjectId: 'auto',
        dataset: 'battery.cfp',
        grant: grant('auto', { validUntil: '2026-11-20T00:00:00Z' }),
        now,
      }).reasons,
    ).toContain('GRANT.EXPIRED');
    expect(
      decide(s, { action: 'deliver', subjectId: 'rival', dataset: 'battery.cfp', grant: grant('auto'), now })
        .reasons,
    ).toContain('GRANT.WRONG_CONSUMER');
  });

  it('keeps JP-only data in Japan', () => {
    const s = state();
    s.apply({
      type: 'contract.published',
      contract: {
        ...batteryCfpContract,
        version: '1.1.0',
        owner: 'cell',
        status: 'active',
        residency: 'JP',
      } as never,
    });
    expect(
      decide(s, {
        action: 'grant.request',
        subjectId: 'abroad',
        dataset: 'battery.cfp',
        purpose: 'cfp-disclosure',
        now,
      }).reasons,
    ).toContain('RESIDENCY.VIOLATION');
    expect(
      decide(s, {
        action: 'grant.request',
        subjectId: 'auto',
        dataset: 'battery.cfp',
        purpose: 'cfp-disclosure',
        now,
      }).allow,
    ).toBe(true);
  });

  it('denies everything to a suspended participant', () => {
    const s = state();
    s.apply({
      type: 'participant.upserted',
      participant: {
        id: 'auto',
        legalName: 'auto',
        industry: 'automotive',
        country: 'JP',
        roles: ['member'],
        certifications: [],
        protection: 'access-control',
        status: 'suspended',
        jwks: { keys: [] },
      },
    });
    expect(
      decide(s, { action: 'deliver', subjectId: 'auto', dataset: 'battery.cfp', grant: grant('auto'), now })
        .reasons,
    ).toContain('SUBJECT.NOT_ACTIVE');
  });
});
