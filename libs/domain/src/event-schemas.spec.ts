import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { ContractTerms } from './contract.js';
import { DecisionRecordSchema, PlatformEventSchema, RefusalRecordSchema } from './event-schemas.js';
import type { GrantView, PlatformEvent } from './events.js';
import type { ParticipantView } from './participant.js';
import type { PersonConsentView } from './person-consent.js';

// Fixtures shaped exactly as the producers write them (registry and clearing outboxes add id, actor, at).
const meta = {
  id: '5f7c0e52-8a3e-4a39-9d0e-6f1b1b7f2a01',
  actor: 'c0a80101-0000-4000-8000-000000000001',
  at: '2026-12-02T06:00:00.000Z',
};
const grant: GrantView = {
  id: 'a1b2c3d4-0000-4000-8000-000000000001',
  state: 'revoked',
  originator: 'c0a80101-0000-4000-8000-000000000001',
  consumer: 'c0a80101-0000-4000-8000-000000000002',
  dataset: 'battery.cfp',
  purpose: 'carbon-footprint',
  fields: null,
  validFrom: '2026-12-01T00:00:00.000Z',
  validUntil: null,
  deletionDays: 30,
  onwardTransfer: false,
  historyFrom: 'all',
  changedAt: '2026-12-02T06:00:00.000Z',
};
const participant: ParticipantView = {
  id: 'c0a80101-0000-4000-8000-000000000002',
  legalName: 'Cell Maker KK',
  industry: 'battery',
  country: 'JP',
  roles: ['member'],
  status: 'suspended',
  certifications: ['iso27001'],
  protection: 'access-control',
  jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
};
const contract: ContractTerms = {
  dataset: 'battery.cfp',
  owner: participant.id,
  version: '1.0.0',
  status: 'active',
  title: 'Battery carbon footprint',
  description: null,
  domain: 'supply-chain',
  purposes: ['carbon-footprint'],
  sensitivity: 'confidential',
  residency: null,
  retentionDays: 365,
  compatibility: 'BACKWARD',
  visibility: 'consortium',
  invited: [],
  fields: { cfp: { tags: ['cooperative'], residency: null, description: null } },
  schema: { type: 'object', properties: { cfp: { type: 'number' } } },
  derived: { aggregate: true, contributors: 3, originators: ['a', 'b', 'c'], verified: true },
};
const consent: PersonConsentView = {
  originator: participant.id,
  subjectRef: 'p-1',
  consentId: 'fhir:c1',
  dataset: '*',
  decision: 'permit',
  provisions: [
    { purposes: ['research'], provisions: [{ recipients: ['x'], period: { start: null, end: null } }] },
  ],
  validFrom: null,
  validUntil: null,
  recordedAt: '2026-12-02T06:00:00.000Z',
};

const valid: PlatformEvent[] = [
  { type: 'grant.changed', grant, actor: meta.actor, reason: 'breach', id: meta.id, at: meta.at },
  { type: 'participant.upserted', participant, ...meta },
  { type: 'contract.published', contract, reason: null, ...meta },
  { type: 'contract.retired', contract: { ...contract, status: 'retired' }, ...meta },
  { type: 'dataset.changed', dataset: 'battery.cfp', owner: participant.id, compatibility: 'FULL', ...meta },
  { type: 'person-consent.changed', consent, ...meta },
  {
    type: 'data-key.destroyed',
    kid: 'k1',
    originator: participant.id,
    dataset: 'battery.cfp',
    subjectRef: null,
  },
  {
    type: 'outbox.dead-lettered',
    service: 'registry',
    deadLetter: {
      outboxId: '17',
      topic: 'renkei.registry.events',
      eventId: null,
      eventType: 'contract.published',
      sizeBytes: 2_000_000,
      reason: 'MESSAGE_TOO_LARGE',
      attempts: 1,
      deadLetteredAt: meta.at,
    },
  },
];

/** The JSON pointer of the first problem the schema finds, or null when it accepts the value. */
function failingPath(schema: z.ZodType, value: unknown): string | null {
  const result = schema.safeParse(value);
  if (result.success) return null;
  return (result.error.issues[0]?.path ?? []).map((p) => `/${String(p)}`).join('');
}

describe('platform event schemas', () => {
  it.each(valid.map((e) => [e.type, e] as const))(
    'accepts a %s event as its producer writes it',
    (_t, event) => {
      // Round trip through JSON, as the consumer reads it; what the projection gets equals what was sent.
      const read = PlatformEventSchema.parse(JSON.parse(JSON.stringify(event)));
      expect(read).toEqual(event);
    },
  );

  it('drops keys no type names, so the projection holds only what the types say', () => {
    const read = PlatformEventSchema.parse({ ...valid[0], injected: true, grant: { ...grant, extra: 1 } });
    expect(read).not.toHaveProperty('injected');
    expect((read as { grant: object }).grant).not.toHaveProperty('extra');
  });

  it('keeps the legacy top-level purposes of a consent (normaliseConsent reads them)', () => {
    const legacy = { type: 'person-consent.changed', consent: { ...consent, purposes: ['research'] } };
    expect(PlatformEventSchema.parse(legacy)).toMatchObject({ consent: { purposes: ['research'] } });
  });

  it.each([
    ['no type', { grant }, '/type'],
    ['an unknown type', { type: 'grant.deleted', grant }, '/type'],
    ['a grant event without its grant', { type: 'grant.changed', actor: 'a', reason: null }, '/grant'],
    [
      'a grant in a state that does not exist',
      { ...valid[0], grant: { ...grant, state: 'paused' } },
      '/grant/state',
    ],
    ['a grant id that is not a string', { ...valid[0], grant: { ...grant, id: 7 } }, '/grant/id'],
    ['a grant event without its actor', { ...valid[0], actor: undefined }, '/actor'],
    ['a null participant', { type: 'participant.upserted', participant: null }, '/participant'],
    [
      'a participant status that does not exist',
      { ...valid[1], participant: { ...participant, status: 'gone' } },
      '/participant/status',
    ],
    [
      'a participant role that does not exist',
      { ...valid[1], participant: { ...participant, roles: ['root'] } },
      '/participant/roles/0',
    ],
    [
      'participant keys that are not a JWKS',
      { ...valid[1], participant: { ...participant, jwks: [] } },
      '/participant/jwks',
    ],
    [
      'a contract sensitivity that does not exist',
      { ...valid[2], contract: { ...contract, sensitivity: 'secret' } },
      '/contract/sensitivity',
    ],
    [
      'a contract field with an unknown tag',
      { ...valid[2], contract: { ...contract, fields: { cfp: { tags: ['x'] } } } },
      '/contract/fields/cfp/tags/0',
    ],
    [
      'a contract schema that is not an object',
      { ...valid[2], contract: { ...contract, schema: 'any' } },
      '/contract/schema',
    ],
    [
      'a consent decision that does not exist',
      { ...valid[5], consent: { ...consent, decision: 'maybe' } },
      '/consent/decision',
    ],
    [
      'a nested consent provision that is not a list',
      { ...valid[5], consent: { ...consent, provisions: [{ provisions: {} }] } },
      '/consent/provisions/0/provisions',
    ],
    ['a dead letter without its reason', { ...valid[7], deadLetter: { outboxId: '1' } }, '/deadLetter/topic'],
    ['a meta id that is not a string', { ...valid[4], id: 42 }, '/id'],
  ])('refuses %s, naming %s', (_what, value, path) => {
    expect(failingPath(PlatformEventSchema, value)).toBe(path);
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'grant.changed'],
  ])('refuses %s as a whole', (_w, value) => {
    expect(failingPath(PlatformEventSchema, value)).toBe('');
  });
});

describe('audit record schemas (checked, kept as sent)', () => {
  const decision = {
    decisionId: '7a0b0c0d-0000-4000-8000-000000000002',
    service: 'exchange',
    action: 'publish',
    requestedBy: 'p',
    allow: true,
    decidedAt: '2026-12-02T06:00:00.000Z',
    dataset: 'battery.cfp',
    grantId: null,
    eventIds: ['e1'],
    rule: 'ALLOW.PUBLISH',
    explanations: [
      {
        code: 'ALLOW.PUBLISH',
        message: "participant 'p' may publish on dataset 'battery.cfp': every rule of the policy holds",
        params: { action: 'publish', participant: 'p', dataset: 'battery.cfp' },
      },
    ],
  };
  const explained = (over: object) => ({
    ...decision,
    explanations: [{ ...decision.explanations[0], ...over }],
  });
  const refusal = {
    id: '7a0b0c0d-0000-4000-8000-000000000001',
    service: 'registry',
    category: 'ownership',
    status: 404,
    code: 'CONTRACT.NOT_FOUND',
    count: 3,
    firstAt: '2026-12-02T06:00:00.000Z',
    lastAt: '2026-12-02T06:00:00.900Z',
    targets: [],
    claimed: null,
  };

  it('accepts well-formed records and keeps every key they carry', () => {
    expect(DecisionRecordSchema.parse(decision)).toEqual(decision);
    expect(RefusalRecordSchema.parse(refusal)).toEqual(refusal);
  });

  it('accepts a decision of an exchange built before decisions named their rule (rolling deploy)', () => {
    const { rule: _rule, explanations: _explanations, ...older } = decision;
    expect(DecisionRecordSchema.parse(older)).toEqual(older);
  });

  it.each([
    [DecisionRecordSchema, { ...decision, decisionId: 'x' }, '/decisionId'],
    [DecisionRecordSchema, { ...decision, allow: 'yes' }, '/allow'],
    [DecisionRecordSchema, { ...decision, decidedAt: 'never' }, '/decidedAt'],
    [DecisionRecordSchema, { ...decision, requestedBy: '' }, '/requestedBy'],
    [DecisionRecordSchema, { ...decision, dataset: 'x'.repeat(201) }, '/dataset'],
    [DecisionRecordSchema, { ...decision, rule: 'R'.repeat(81) }, '/rule'],
    [DecisionRecordSchema, { ...decision, explanations: 'because' }, '/explanations'],
    [
      DecisionRecordSchema,
      { ...decision, explanations: Array(41).fill(decision.explanations[0]) },
      '/explanations',
    ],
    [DecisionRecordSchema, explained({ message: 'm'.repeat(1001) }), '/explanations/0/message'],
    [DecisionRecordSchema, explained({ params: { big: 'x'.repeat(5000) } }), '/explanations/0/params'],
    [DecisionRecordSchema, explained({ params: ['a'] }), '/explanations/0/params'],
    [DecisionRecordSchema, explained({ code: '' }), '/explanations/0/code'],
    [RefusalRecordSchema, { ...refusal, count: 0 }, '/count'],
    [RefusalRecordSchema, { ...refusal, lastAt: 'never' }, '/lastAt'],
    [RefusalRecordSchema, { ...refusal, targets: 'all' }, '/targets'],
    [RefusalRecordSchema, { ...refusal, code: 'X'.repeat(81) }, '/code'],
  ] as const)('refuses a malformed record, naming the field (%#)', (schema, value, path) => {
    expect(failingPath(schema, value)).toBe(path);
  });
});
