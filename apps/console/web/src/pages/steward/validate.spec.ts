import { describe, expect, it } from 'vitest';
import { jsonLines, lineOf } from './schemaLines';
import { rowsFromItems } from './usageData';
import { validate } from './validate';

const schema = {
  type: 'object',
  required: ['lotId', 'cfp'],
  additionalProperties: false,
  properties: {
    lotId: { type: 'string', minLength: 1, pattern: '^lot-' },
    cfp: { type: 'number', minimum: 0, maximum: 500 },
    grade: { enum: ['A', 'B'] },
    at: { type: 'string', format: 'date-time' },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
    plant: { $ref: '#/$defs/plant' },
  },
  $defs: { plant: { type: 'string', maxLength: 3 } },
};

describe('the test publisher’s schema checks', () => {
  it('accepts a payload that follows the schema', () => {
    expect(validate(schema, { lotId: 'lot-1', cfp: 61.5, grade: 'A', at: '2026-12-02T10:00:00Z' })).toEqual(
      [],
    );
  });

  it('names each failing field by its JSON Pointer and keyword', () => {
    const failures = validate(schema, {
      lotId: 'x',
      cfp: -5,
      grade: 'C',
      at: 'yesterday',
      tags: ['a', 1, 'c'],
      plant: 'OSAKA',
      price: 3,
    });
    expect(failures.map((f) => [f.path, f.keyword]).sort()).toEqual(
      [
        ['/lotId', 'pattern'],
        ['/cfp', 'minimum'],
        ['/grade', 'enum'],
        ['/at', 'format'],
        ['/tags', 'maxItems'],
        ['/tags/1', 'type'],
        ['/plant', 'maxLength'],
        ['/price', 'additionalProperties'],
      ].sort(),
    );
  });

  it('reports a missing required field on that field', () => {
    expect(validate(schema, { lotId: 'lot-1' })).toEqual([
      { path: '/cfp', keyword: 'required', params: { property: 'cfp' } },
    ]);
  });

  it('stops at the wrong type instead of piling up errors', () => {
    expect(validate(schema, { lotId: 'lot-1', cfp: '61' })).toEqual([
      { path: '/cfp', keyword: 'type', params: { type: 'number' } },
    ]);
  });
});

describe('breaking changes on the schema', () => {
  const lines = jsonLines(schema);

  it('puts each pointer on the line that shows it', () => {
    const at = (p: string) => lines[lineOf(lines, p)]!.text.trim();
    expect(at('/properties/cfp/minimum')).toBe('"minimum": 0,');
    expect(at('/required')).toBe('"required": [');
    expect(at('/required/1')).toBe('"cfp"');
  });

  it('falls back to the nearest ancestor for a path the schema no longer has', () => {
    const i = lineOf(lines, '/properties/removed/type');
    expect(lines[i]!.path).toBe('/properties');
  });

  it('prints valid JSON', () => {
    expect(JSON.parse(lines.map((l) => l.text).join('\n'))).toEqual(schema);
  });
});

describe('usage counted from the entries when the series is absent', () => {
  it('adds deliveries, events, tokens and refusals per hour, consumer and purpose', () => {
    const base = {
      dataset: 'battery.cfp',
      consumer: 'c1',
      purpose: 'cfp-disclosure',
      grant: 'g',
      reasons: [],
    };
    const rows = rowsFromItems(
      [
        { ...base, seq: 1, at: '2026-12-02T10:05:00Z', action: 'token.issued', allow: true, events: null },
        { ...base, seq: 2, at: '2026-12-02T10:06:00Z', action: 'deliver', allow: true, events: 3 },
        { ...base, seq: 3, at: '2026-12-02T10:59:00Z', action: 'deliver', allow: true, events: 2 },
        { ...base, seq: 4, at: '2026-12-02T11:01:00Z', action: 'subscribe', allow: false, events: null },
      ],
      'hour',
    );
    expect(rows).toEqual([
      { ...pick(base), bucket: '2026-12-02T10:00:00.000Z', deliveries: 2, events: 5, tokens: 1, denied: 0 },
      { ...pick(base), bucket: '2026-12-02T11:00:00.000Z', deliveries: 0, events: 0, tokens: 0, denied: 1 },
    ]);
  });
});

const pick = ({ dataset, consumer, purpose }: { dataset: string; consumer: string; purpose: string }) => ({
  dataset,
  consumer,
  purpose,
});
