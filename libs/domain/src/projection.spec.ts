import { describe, expect, it } from 'vitest';
import type { ContractTerms } from './contract.js';
import type { PlatformEvent } from './events.js';
import type { PersonConsentView } from './person-consent.js';
import { PlatformProjection } from './projection.js';

const contract = (version: string, status: ContractTerms['status'] = 'active'): ContractTerms => ({
  dataset: 'battery.cfp',
  owner: 'p1',
  version,
  status,
  title: 't',
  domain: 'supply-chain',
  purposes: ['cfp-disclosure'],
  sensitivity: 'confidential',
  residency: null,
  retentionDays: null,
  fields: {},
  schema: {},
});

describe('platform projection', () => {
  it('serves the newest active version by semantic version, not by arrival', () => {
    const state = new PlatformProjection();
    for (const v of ['1.10.0', '1.2.0', '2.0.0-rc.1'])
      state.apply({ type: 'contract.published', contract: contract(v) });
    state.apply({ type: 'contract.published', contract: contract('3.0.0', 'draft') });
    expect(state.currentContract('battery.cfp')?.version).toBe('1.10.0');
  });

  it('rebuilds the same state when the same events are replayed', () => {
    const events: PlatformEvent[] = [
      {
        type: 'participant.upserted',
        participant: {
          id: 'p1',
          legalName: 'A',
          industry: 'x',
          country: 'JP',
          roles: ['member'],
          certifications: [],
          protection: 'access-control',
          status: 'active',
          jwks: { keys: [] },
        },
      },
      { type: 'contract.published', contract: contract('1.0.0') },
      {
        type: 'grant.changed',
        grant: {
          id: 'g1',
          state: 'granted',
          originator: 'p1',
          consumer: 'p2',
          dataset: 'battery.cfp',
          purpose: 'cfp-disclosure',
          fields: null,
          validFrom: '2026-11-21T00:00:00.000Z',
          validUntil: null,
          changedAt: '2026-11-21T00:00:00.000Z',
        },
        actor: 'p1',
        reason: null,
      },
      {
        type: 'grant.changed',
        grant: {
          id: 'g1',
          state: 'revoked',
          originator: 'p1',
          consumer: 'p2',
          dataset: 'battery.cfp',
          purpose: 'cfp-disclosure',
          fields: null,
          validFrom: '2026-11-21T00:00:00.000Z',
          validUntil: null,
          changedAt: '2026-11-21T01:00:00.000Z',
        },
        actor: 'p1',
        reason: 'ended',
      },
    ];
    const a = new PlatformProjection();
    const b = new PlatformProjection();
    events.forEach((e) => a.apply(e));
    events.forEach((e) => b.apply(e));
    expect(a.grants.get('g1')?.state).toBe('revoked');
    expect([...b.grants]).toEqual([...a.grants]);
    expect([...b.participants]).toEqual([...a.participants]);
  });

  it('tells listeners about every event until they unsubscribe', () => {
    const state = new PlatformProjection();
    const seen: string[] = [];
    const off = state.onEvent((e) => seen.push(e.type));
    state.apply({ type: 'contract.published', contract: contract('1.0.0') });
    off();
    state.apply({ type: 'contract.published', contract: contract('1.1.0') });
    expect(seen).toEqual(['contract.published']);
  });
});

describe('persons’ consents in the projection', () => {
  const consent = (over: Partial<PersonConsentView>): PersonConsentView => ({
    originator: 'hosp',
    subjectRef: 'pt-1',
    consentId: 'fhir:a',
    dataset: 'health.admissions',
    decision: 'permit',
    provisions: [],
    validFrom: null,
    validUntil: null,
    recordedAt: '2026-11-01T00:00:00Z',
    ...over,
  });
  const use = {
    dataset: 'health.admissions',
    purpose: 'health-research',
    recipient: 'lab',
    now: Date.parse('2026-11-21T00:00:00Z'),
  };
  const records = [
    { key: 'ev-1', subject: 'pt-1', record: { type: 'admission', labels: [], at: use.now } },
    { key: 'ev-2', subject: 'pt-1', record: { type: 'observation', labels: ['HIV'], at: use.now } },
    { key: 'ev-3', subject: 'pt-2', record: { type: 'admission', labels: [], at: use.now } },
  ];
  const applyAll = (...consents: PersonConsentView[]) => {
    const state = new PlatformProjection();
    for (const c of consents) state.apply({ type: 'person-consent.changed', consent: c });
    return state.consentsFor('hosp', use, records);
  };

  it('answers each record on its own, keyed by record', () => {
    expect(applyAll(consent({ provisions: [{ labels: ['HIV'] }] }))).toEqual({
      'ev-1': 'permit',
      'ev-2': 'deny',
      'ev-3': 'none',
    });
  });

  it('a later permit does not replace an earlier deny of another consent', () => {
    expect(
      applyAll(consent({ consentId: 'fhir:a', decision: 'deny' }), consent({ consentId: 'fhir:b' })),
    ).toMatchObject({
      'ev-1': 'deny',
      'ev-2': 'deny',
    });
  });

  it('the same consent id is an update, and a withdrawal removes it', () => {
    expect(applyAll(consent({ decision: 'deny' }), consent({ decision: 'permit' }))['ev-1']).toBe('permit');
    expect(applyAll(consent({ decision: 'deny' }), consent({ decision: 'withdrawn' }))['ev-1']).toBe('none');
  });

  it('reads a consent event of an older clearing (purposes, no provisions) conservatively', () => {
    const legacy = {
      ...consent({}),
      consentId: undefined,
      provisions: undefined,
      purposes: ['health-research'],
    };
    expect(applyAll(legacy as unknown as PersonConsentView)['ev-1']).toBe('deny');
    // Re-imported after the migration: clearing withdraws the legacy record, then records the consent.
    const withdrawn = consent({ consentId: 'legacy:health.admissions', decision: 'withdrawn' });
    expect(
      applyAll(legacy as unknown as PersonConsentView, withdrawn, consent({ consentId: 'fhir:c-1' }))['ev-1'],
    ).toBe('permit');
  });
});
