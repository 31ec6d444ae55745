import { describe, expect, it } from 'vitest';
import { compileContractSchema, validatePayload } from './json-schema.js';

const schema = {
  type: 'object',
  required: ['lotId', 'cfp'],
  additionalProperties: false,
  properties: {
    lotId: { type: 'string' },
    cfp: { type: 'number', minimum: 0 },
    measuredAt: { type: 'string', format: 'date-time' },
  },
};

describe('contract schemas', () => {
  it('names every failing path under the given base', () => {
    const validate = compileContractSchema(schema);
    expect(
      validatePayload(validate, { cfp: -1, extra: true, measuredAt: 'yesterday' }, '/events/2/payload'),
    ).toEqual(
      expect.arrayContaining([
        { path: '/events/2/payload', message: "is missing required property 'lotId'" },
        { path: '/events/2/payload', message: "has unknown property 'extra'" },
        { path: '/events/2/payload/cfp', message: 'must be >= 0' },
        { path: '/events/2/payload/measuredAt', message: 'must match format "date-time"' },
      ]),
    );
  });

  it('accepts a valid payload', () => {
    expect(validatePayload(compileContractSchema(schema), { lotId: 'a', cfp: 1 }, '')).toEqual([]);
  });

  it('refuses a schema with unknown keywords (strict mode) as a 400 naming /schema', () => {
    expect(() => compileContractSchema({ type: 'object', propertees: {} })).toThrow(
      expect.objectContaining({ code: 'CONTRACT.INVALID_SCHEMA' }),
    );
    expect(() => compileContractSchema([])).toThrow(
      expect.objectContaining({ code: 'CONTRACT.INVALID_SCHEMA' }),
    );
  });
});
