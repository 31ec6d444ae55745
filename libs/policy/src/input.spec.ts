import { describe, expect, it } from 'vitest';
import { PlatformProjection, type ContractTerms, type GrantView, type ParticipantView } from '@renkei/domain';
import { buildPolicyInput } from './input.js';

const now = new Date('2026-11-21T09:00:00Z');

const participant = (id: string, over: Partial<ParticipantView> = {}): ParticipantView => ({
  id,
  legalName: id,
  industry: 'healthcare',
  country: 'JP',
  roles: ['member'],
  certifications: [],
  protection: 'access-control',
  status: 'active',
  jwks: { keys: [] },
  ...over,
});

const contract: ContractTerms = {
  dataset: 'clinic.visits',
  owner: 'clinic',
  version: '1.0.0',
  status: 'active',
  title: 'Visits',
  domain: 'health',
  purposes: ['research'],
  sensitivity: 'restricted',
  residency: 'JP',
  retentionDays: null,
  fields: {
    patientName: { tags: ['personal'] },
    diagnosis: { tags: ['sensitive-personal'], residency: 'JP' },
  },
  schema: { properties: { visitId: {}, patientName: {}, diagnosis: {} } },
};

const grant: GrantView = {
  id: 'g1',
  state: 'granted',
  originator: 'clinic',
  consumer: 'lab',
  dataset: 'clinic.visits',
  purpose: 'research',
  fields: null,
  validFrom: '2026-11-01T00:00:00.000Z',
  validUntil: '2027-03-31T00:00:00.000Z',
  changedAt: '2026-11-01T00:00:00.000Z',
};

function state(): PlatformProjection {
  const s = new PlatformProjection();
  s.apply({ type: 'participant.upserted', participant: participant('clinic') });
  s.apply({
    type: 'participant.upserted',
    participant: participant('lab', {
      certifications: ['health-data-handler', 'iso27001'],
      protection: 'field-encryption',
    }),
  });
  s.apply({ type: 'contract.published', contract });
  return s;
}

describe('policy input', () => {
  it('carries the parties’ attestations and the contract’s domain and minimum protection', () => {
    const input = buildPolicyInput(state(), {
      action: 'grant.approve',
      subjectId: 'clinic',
      dataset: 'clinic.visits',
      grant: { ...grant, state: 'requested' },
      now,
    });
    expect(input.subject).toEqual({
      id: 'clinic',
      industry: 'healthcare',
      country: 'JP',
      certifications: [],
      protection: 'access-control',
      roles: ['member'],
      status: 'active',
    });
    expect(input.consumer).toEqual({
      id: 'lab',
      industry: 'healthcare',
      country: 'JP',
      certifications: ['health-data-handler', 'iso27001'],
      protection: 'field-encryption',
    });
    expect(input.contract).toMatchObject({
      domain: 'health',
      sensitivity: 'restricted',
      minimumProtection: 'field-encryption',
      fields: {
        visitId: { tags: [] },
        patientName: { tags: ['personal'] },
        diagnosis: { tags: ['sensitive-personal'], residency: 'JP' },
      },
    });
    expect(input.subjects).toBeNull();
    expect(input.aggregate).toBeNull();
  });

  it('leaves out a certification whose attested expiry has passed, and keeps it until then', () => {
    const s = state();
    s.apply({
      type: 'participant.upserted',
      participant: participant('lab', {
        certifications: ['health-data-handler', 'iso27001'],
        certificationExpiry: { 'health-data-handler': '2026-11-21T09:00:00.000Z' },
        protection: 'field-encryption',
      }),
    });
    const at = (when: string) =>
      buildPolicyInput(s, {
        action: 'deliver',
        subjectId: 'lab',
        dataset: 'clinic.visits',
        grant,
        now: new Date(when),
      });
    expect(at('2026-11-21T08:59:59.999Z').consumer?.certifications).toEqual([
      'health-data-handler',
      'iso27001',
    ]);
    expect(at('2026-11-21T09:00:00.000Z').consumer?.certifications).toEqual(['iso27001']);
    expect(at('2026-11-21T09:00:00.000Z').subject.certifications).toEqual(['iso27001']);
  });

  it('passes an offboarded subject with its status, which is not active', () => {
    const s = state();
    s.apply({ type: 'participant.upserted', participant: participant('lab', { status: 'offboarded' }) });
    const input = buildPolicyInput(s, { action: 'token.issue', subjectId: 'lab', now });
    expect(input.subject.status).toBe('offboarded');
  });

  it('defaults the grant’s deletion period to 30 days and onward transfer to false', () => {
    const s = state();
    const base = { action: 'deliver' as const, subjectId: 'lab', dataset: 'clinic.visits', now };
    expect(buildPolicyInput(s, { ...base, grant }).grant).toMatchObject({
      validUntil: Date.parse('2027-03-31T00:00:00.000Z'),
      deletionDays: 30,
      onwardTransfer: false,
    });
    expect(
      buildPolicyInput(s, { ...base, grant: { ...grant, deletionDays: 0, onwardTransfer: true } }).grant,
    ).toMatchObject({ deletionDays: 0, onwardTransfer: true });
  });

  it('passes the batch’s consent statuses and the aggregate as given', () => {
    const s = state();
    const subjects = { 'p-1': 'permit', 'p-2': 'deny', 'p-3': 'none' } as const;
    expect(
      buildPolicyInput(s, {
        action: 'deliver',
        subjectId: 'lab',
        dataset: 'clinic.visits',
        grant,
        subjects,
        now,
      }).subjects,
    ).toEqual(subjects);
    const aggregate = { contributors: 12, k: null };
    expect(
      buildPolicyInput(s, {
        action: 'aggregate.release',
        subjectId: 'lab',
        dataset: 'clinic.visits',
        purpose: 'research',
        aggregate,
        now,
      }),
    ).toMatchObject({ grant: null, purpose: 'research', aggregate, subjects: null });
  });

  it('leaves attestations out as "none" for participants known from older events', () => {
    const s = state();
    const { certifications: _c, protection: _p, ...old } = participant('old');
    s.apply({ type: 'participant.upserted', participant: old as ParticipantView });
    const input = buildPolicyInput(s, {
      action: 'grant.request',
      subjectId: 'old',
      dataset: 'clinic.visits',
      now,
    });
    expect(input.subject).toMatchObject({ certifications: [], protection: 'none' });
  });

  it('leaves the minimum protection out for an unknown sensitivity, so the policy denies', () => {
    const s = state();
    s.apply({
      type: 'contract.published',
      contract: { ...contract, version: '1.1.0', sensitivity: 'secret' as ContractTerms['sensitivity'] },
    });
    const input = buildPolicyInput(s, {
      action: 'grant.request',
      subjectId: 'lab',
      dataset: 'clinic.visits',
      now,
    });
    expect(input.contract?.minimumProtection).toBeUndefined();
    expect((JSON.parse(JSON.stringify(input)) as typeof input).contract).not.toHaveProperty(
      'minimumProtection',
    );
  });

  describe('derived datasets', () => {
    const derived: ContractTerms = {
      ...contract,
      dataset: 'cps.occupancy-forecast',
      owner: 'cps',
      fields: {},
      schema: { properties: {} },
      lineage: [
        { dataset: 'clinic.visits', version: '1.0.0' },
        { dataset: 'lab.results', version: '2.0.0' },
      ],
      derived: { aggregate: true, contributors: 6 },
    };
    const withDerived = () => {
      const s = state();
      s.apply({ type: 'participant.upserted', participant: participant('cps') });
      s.apply({
        type: 'contract.published',
        contract: { ...contract, dataset: 'lab.results', owner: 'lab' },
      });
      s.apply({ type: 'contract.published', contract: derived });
      return s;
    };

    it('states per input whether the subject owns it or holds a live grant on it', () => {
      const s = withDerived();
      s.apply({ type: 'grant.changed', grant, actor: 'clinic', reason: null });
      const input = buildPolicyInput(s, {
        action: 'grant.request',
        subjectId: 'lab',
        dataset: 'cps.occupancy-forecast',
        now,
      });
      expect(input.contract?.lineage).toEqual(['clinic.visits', 'lab.results']);
      expect(input.contract?.derived).toEqual({ aggregate: true, contributors: 6 });
      expect(input.consumerInputs).toEqual({ 'clinic.visits': true, 'lab.results': true });
    });

    it('does not count grants that are not live, or held by someone else', () => {
      for (const g of [
        { ...grant, state: 'revoked' as const },
        { ...grant, validFrom: '2027-01-01T00:00:00.000Z' },
        { ...grant, validUntil: '2026-11-20T00:00:00.000Z' },
        { ...grant, consumer: 'clinic' },
      ]) {
        const s = withDerived();
        s.apply({ type: 'grant.changed', grant: g, actor: 'clinic', reason: null });
        const input = buildPolicyInput(s, {
          action: 'subscribe',
          subjectId: 'lab',
          dataset: derived.dataset,
          now,
        });
        expect(input.consumerInputs?.['clinic.visits']).toBe(false);
      }
    });

    it('leaves lineage and consumer inputs out for contracts that are not derived', () => {
      const input = buildPolicyInput(state(), {
        action: 'grant.request',
        subjectId: 'lab',
        dataset: 'clinic.visits',
        now,
      });
      expect(input.contract).not.toHaveProperty('lineage');
      expect(input).not.toHaveProperty('consumerInputs');
    });
  });
});
