/**
 * The compiled policy bundle (policies/build/policy.wasm, built by `npm run policy:build`) evaluated in
 * process through @open-policy-agent/opa-wasm, with inputs built exactly as the services build them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PlatformProjection, type ContractTerms, type GrantView, type ParticipantView } from '@renkei/domain';
import { applyObligations, buildPolicyInput, PolicyEngine, readPolicyBundle } from '@renkei/policy';
import { batteryCfpContract } from '../fixtures/battery-cfp.js';

const root = new URL('../..', import.meta.url).pathname;
const now = new Date('2026-11-21T09:00:00Z');
const DAY_MS = 86_400_000;

function state(): PlatformProjection {
  const s = new PlatformProjection();
  const member = (id: string, industry: string, country = 'JP', over: Partial<ParticipantView> = {}) =>
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
        ...over,
      },
    });
  member('cell', 'battery-cells');
  member('auto', 'automotive');
  member('rival', 'battery-cells');
  member('abroad', 'automotive', 'DE');
  member('lax', 'automotive', 'JP', { protection: 'none' });
  member('clinic', 'healthcare');
  member('lab', 'pharma', 'JP', { certifications: ['health-data-handler'], protection: 'field-encryption' });
  member('insurer', 'insurance', 'JP', { certifications: ['iso27001'], protection: 'field-encryption' });
  s.apply({
    type: 'contract.published',
    contract: {
      ...batteryCfpContract,
      owner: 'cell',
      status: 'active',
      sensitivity: 'confidential',
    } as never,
  });
  s.apply({ type: 'contract.published', contract: visitsContract });
  return s;
}

/** Health data with personal fields; restricted, so recipients need field encryption. */
const visitsContract: ContractTerms = {
  dataset: 'clinic.visits',
  owner: 'clinic',
  version: '1.0.0',
  status: 'active',
  title: 'Clinic visits',
  domain: 'health',
  purposes: ['research'],
  sensitivity: 'restricted',
  residency: 'JP',
  retentionDays: null,
  fields: { patientName: { tags: ['personal'] }, diagnosis: { tags: ['sensitive-personal'] } },
  schema: { type: 'object', properties: { visitId: {}, patientName: {}, diagnosis: {} } },
};

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

  // A delivery states when its events were published (the grant's history term is decided on it); unless a
  // test says otherwise, they were published now, inside every grant's history.
  const decide = (s: PlatformProjection, req: Parameters<typeof buildPolicyInput>[1]) =>
    policy.decide(
      buildPolicyInput(
        s,
        req.action === 'deliver' && !req.delivery
          ? { ...req, delivery: { publishedFrom: now.getTime() } }
          : req,
      ),
    );

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
    ).toMatchObject({
      allow: false,
      reasons: ['PURPOSE.NOT_ALLOWED'],
      // The compiled (wasm) policy builds the sentence itself.
      rule: 'PURPOSE.NOT_ALLOWED',
      explanations: [
        {
          code: 'PURPOSE.NOT_ALLOWED',
          message: expect.stringMatching(
            /^purpose 'price-benchmarking' is not among the contract's purposes /,
          ),
          params: expect.objectContaining({ action: 'grant.request', purpose: 'price-benchmarking' }),
        },
      ],
    });
  });

  it('delivers to a consumer in another industry with every field', () => {
    expect(
      decide(state(), {
        action: 'deliver',
        subjectId: 'auto',
        dataset: 'battery.cfp',
        grant: grant('auto'),
        subjects: {},
        now,
      }),
    ).toEqual({
      allow: true,
      reasons: [],
      rule: 'ALLOW.DELIVER',
      explanations: [
        {
          code: 'ALLOW.DELIVER',
          message:
            "participant 'auto' may receive events of dataset 'battery.cfp': every rule of the policy holds",
          params: { action: 'deliver', dataset: 'battery.cfp', participant: 'auto' },
        },
      ],
      obligations: {
        drop: [],
        pseudonymise: [],
        withhold: [],
        identify: [],
        // No personal fields, not health data: k ≥ 3. The grant ends 2027-03-31; 30 deletion days by default.
        minK: 3,
        deleteBy: Date.parse('2027-03-31T00:00:00Z') + 30 * DAY_MS,
      },
    });
  });

  it('drops competitive fields for a consumer in the originator’s industry', () => {
    expect(
      decide(state(), {
        action: 'deliver',
        subjectId: 'rival',
        dataset: 'battery.cfp',
        grant: grant('rival'),
        subjects: {},
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
      subjects: {},
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

  it('needs the recipient’s protection to meet the contract’s sensitivity', () => {
    expect(
      decide(state(), {
        action: 'grant.request',
        subjectId: 'lax',
        dataset: 'battery.cfp',
        purpose: 'cfp-disclosure',
        now,
      }),
    ).toMatchObject({ allow: false, reasons: ['PROTECTION.INSUFFICIENT'] });
    expect(
      decide(state(), {
        action: 'deliver',
        subjectId: 'lax',
        dataset: 'battery.cfp',
        grant: grant('lax'),
        subjects: {},
        now,
      }).reasons,
    ).toEqual(['PROTECTION.INSUFFICIENT']);
  });

  it('gives health data only to certified recipients', () => {
    const s = state();
    const request = (subjectId: string) =>
      decide(s, { action: 'grant.request', subjectId, dataset: 'clinic.visits', purpose: 'research', now });
    expect(request('lab').allow).toBe(true);
    expect(request('insurer')).toMatchObject({ allow: false, reasons: ['HEALTH.RECIPIENT_NOT_CERTIFIED'] });
    expect(request('auto').reasons).toEqual(['HEALTH.RECIPIENT_NOT_CERTIFIED', 'PROTECTION.INSUFFICIENT']);
    expect(
      decide(s, {
        action: 'grant.approve',
        subjectId: 'clinic',
        dataset: 'clinic.visits',
        grant: grant('insurer', {
          state: 'requested',
          originator: 'clinic',
          dataset: 'clinic.visits',
          purpose: 'research',
        }),
        now,
      }).reasons,
    ).toEqual(['HEALTH.RECIPIENT_NOT_CERTIFIED']);
  });

  it('withholds opted-out people, identifies consenting ones and pseudonymises the rest', () => {
    const labGrant = grant('lab', { originator: 'clinic', dataset: 'clinic.visits', purpose: 'research' });
    const d = decide(state(), {
      action: 'deliver',
      subjectId: 'lab',
      dataset: 'clinic.visits',
      grant: labGrant,
      subjects: { 'p-1': 'permit', 'p-2': 'deny', 'p-3': 'none' },
      now,
    });
    expect(d).toMatchObject({
      allow: true,
      obligations: {
        drop: [],
        pseudonymise: ['diagnosis', 'patientName'],
        withhold: ['p-2'],
        identify: ['p-1'],
        minK: 5,
      },
    });
    const record = { visitId: 'V1', patientName: 'Sato Hanako', diagnosis: 'J45' };
    expect(applyObligations(record, d.obligations, 'k', 'p-1')).toEqual(record);
    expect(applyObligations(record, d.obligations, 'k', 'p-2')).toBeNull();
    expect(applyObligations(record, d.obligations, 'k', 'p-3')).toMatchObject({
      visitId: 'V1',
      patientName: expect.stringMatching(/^ps_/),
      diagnosis: expect.stringMatching(/^ps_/),
    });
    expect(
      decide(state(), {
        action: 'deliver',
        subjectId: 'lab',
        dataset: 'clinic.visits',
        grant: labGrant,
        now,
      }),
    ).toMatchObject({ allow: false, reasons: ['CONSENT.MISSING'] });
  });

  it('releases aggregates only above the contract’s minimum k', () => {
    const release = (dataset: string, contributors: number, k: number | null = null) =>
      decide(state(), {
        action: 'aggregate.release',
        subjectId: 'lab',
        dataset,
        purpose: dataset === 'clinic.visits' ? 'research' : 'cfp-disclosure',
        aggregate: { contributors, k },
        now,
      });
    expect(release('clinic.visits', 4)).toMatchObject({ allow: false, reasons: ['AGGREGATE.BELOW_K'] });
    expect(release('clinic.visits', 5)).toMatchObject({ allow: true, obligations: { minK: 5 } });
    expect(release('battery.cfp', 3)).toMatchObject({ allow: true, obligations: { minK: 3 } });
    expect(release('battery.cfp', 9, 10).reasons).toEqual(['AGGREGATE.BELOW_K']);
  });
});
