/** Platform events the exchange's unit specs build their projections from (unit tier only). */
import type { ContractTerms, GrantView, PlatformEvent } from '@renkei/domain';

/** battery.cfp 1.0.0, active, owned by `cell`; the fields a spec cares about as overrides. */
export const batteryContract = (overrides: Partial<ContractTerms> = {}): ContractTerms => ({
  dataset: 'battery.cfp',
  owner: 'cell',
  version: '1.0.0',
  status: 'active',
  title: 'lots',
  domain: 'supply-chain',
  purposes: ['cfp-disclosure'],
  sensitivity: 'confidential',
  residency: null,
  retentionDays: null,
  fields: {},
  schema: { type: 'object' },
  ...overrides,
});

/** An active consortium member of the given industry. */
export const member = (id: string, industry: string): PlatformEvent => ({
  type: 'participant.upserted',
  participant: {
    id,
    legalName: id,
    industry,
    country: 'JP',
    roles: ['member'],
    certifications: [],
    protection: 'access-control',
    status: 'active',
    jwks: { keys: [] },
  },
});

/** g-1: `cell` grants `auto` battery.cfp for cfp-disclosure, all fields, open-ended. */
export const batteryGrant = (overrides: Partial<GrantView> = {}): GrantView => ({
  id: 'g-1',
  state: 'granted',
  originator: 'cell',
  consumer: 'auto',
  dataset: 'battery.cfp',
  purpose: 'cfp-disclosure',
  fields: null,
  validFrom: '2026-12-01T08:00:00.000Z',
  validUntil: null,
  historyFrom: '2026-12-01T08:00:00.000Z',
  changedAt: '2026-12-01T08:00:00.000Z',
  ...overrides,
});
