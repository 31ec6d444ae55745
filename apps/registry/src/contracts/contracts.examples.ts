// Response examples for the OpenAPI document: what members, compliance officers and tools will see.

const owner = '3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10';

export const contractExample = {
  dataset: 'battery.cfp',
  version: '1.1.0',
  owner,
  status: 'active',
  current: true,
  title: 'Battery cell carbon footprint',
  description: 'Cradle-to-gate carbon footprint per cell lot, EU Battery Regulation method',
  domain: 'supply-chain',
  purposes: ['cfp-disclosure'],
  sensitivity: 'confidential',
  minimumProtection: 'access-control',
  residency: null,
  retentionDays: 365,
  compatibility: 'BACKWARD',
  visibility: 'consortium',
  invited: [],
  approval: 'originator',
  fields: {
    unitPriceJpy: { tags: ['competitive'], residency: null, description: null },
    cfpKgCo2ePerKwh: { tags: ['cooperative'], residency: null, description: 'kg CO2e per kWh' },
  },
  schema: {
    type: 'object',
    required: ['lotId', 'cfpKgCo2ePerKwh'],
    properties: {
      lotId: { type: 'string' },
      cfpKgCo2ePerKwh: { type: 'number', minimum: 0 },
      unitPriceJpy: { type: 'number' },
      plantId: { type: 'string' },
    },
    additionalProperties: false,
  },
  createdAt: '2026-11-21T06:00:00.000Z',
  updatedAt: '2026-11-21T06:00:00.000Z',
};

export const incompatibleExample = {
  type: 'urn:renkei:error:CONTRACT.INCOMPATIBLE',
  title: 'CONTRACT.INCOMPATIBLE',
  status: 409,
  code: 'CONTRACT.INCOMPATIBLE',
  detail: 'Version 2.0.0 breaks BACKWARD compatibility with 1.1.0: 2 breaking changes',
  errors: [
    {
      path: '/schema/required',
      message: "field '/plantId' was made required: payloads from version 1.1.0 without it would be rejected",
      kind: 'FIELD_MADE_REQUIRED',
      field: '/plantId',
      against: '1.1.0',
      direction: 'BACKWARD',
    },
    {
      path: '/schema/properties/cfpKgCo2ePerKwh/maximum',
      message:
        "maximum of '/cfpKgCo2ePerKwh' was lowered to 500 (none before): payloads from version 1.1.0 above it would be rejected",
      kind: 'CONSTRAINT_TIGHTENED',
      field: '/cfpKgCo2ePerKwh',
      against: '1.1.0',
      direction: 'BACKWARD',
    },
  ],
  hint: 'Each entry in errors names the schema path, the payload field and why; keep the change compatible, or agree it with consumers and change the mode with PUT /datasets/{dataset}/compatibility',
  instance: '/contracts',
};

export const illegalTransitionExample = {
  type: 'urn:renkei:error:CONTRACT.ILLEGAL_TRANSITION',
  title: 'CONTRACT.ILLEGAL_TRANSITION',
  status: 409,
  code: 'CONTRACT.ILLEGAL_TRANSITION',
  detail: "A contract version in status 'active' cannot become 'retired'",
  hint: 'Deprecate the version first, so consumers holding access are notified before it is retired',
  instance: '/contracts/battery.cfp/versions/1.0.0/retire',
};

export const catalogPageExample = { items: [contractExample], nextCursor: 'YmF0dGVyeS5jZnA' };

export const compatibilityReportExample = {
  dataset: 'battery.cfp',
  version: '2.0.0',
  compatibility: 'BACKWARD',
  checkedAgainst: ['1.1.0'],
  compatible: false,
  breaks: incompatibleExample.errors.map(({ path, ...b }) => ({ ...b, schemaPath: path })),
};

export const transitionsExample = [
  { from: null, to: 'draft', actor: owner, reason: null, at: '2026-11-20T09:00:00.000Z' },
  { from: 'draft', to: 'active', actor: owner, reason: null, at: '2026-11-20T10:00:00.000Z' },
  {
    from: 'active',
    to: 'deprecated',
    actor: owner,
    reason: 'Superseded by 2.0.0 (adds plantId); retirement planned for 2027-03-31',
    at: '2026-11-21T06:00:00.000Z',
  },
];

/** A pattern RE2 cannot run (docs/security/redos.md). */
export const patternNotSupportedExample = {
  type: 'urn:renkei:error:CONTRACT.PATTERN_NOT_SUPPORTED',
  title: 'CONTRACT.PATTERN_NOT_SUPPORTED',
  status: 400,
  code: 'CONTRACT.PATTERN_NOT_SUPPORTED',
  detail:
    'A pattern cannot be matched in linear time: backreferences cannot be matched in linear time and are not supported',
  errors: [
    {
      path: '/schema/properties/lotId/pattern',
      message: 'backreferences cannot be matched in linear time and are not supported',
    },
  ],
  hint: 'Patterns run on RE2 (linear time): rewrite it without backreferences or lookaround (see docs/security/redos.md)',
  instance: '/contracts',
};

/** A schema beyond a limit, or whose check ran past its time budget (docs/security/redos.md). */
export const schemaLimitExample = {
  type: 'urn:renkei:error:CONTRACT.SCHEMA_TOO_DEEP',
  title: 'CONTRACT.SCHEMA_TOO_DEEP',
  status: 422,
  code: 'CONTRACT.SCHEMA_TOO_DEEP',
  detail: 'The schema nests deeper than 32 levels',
  errors: [{ path: '/schema/properties/a/properties/b', message: 'nesting level 33; at most 32' }],
  hint: 'Flatten the payload, or reuse definitions with $ref',
  instance: '/contracts',
};
