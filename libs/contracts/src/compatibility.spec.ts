import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, it, expect } from 'vitest';
import { compileContractSchema, CompatibilityModes, type CompatibilityMode } from '@renkei/domain';
import {
  checkCompatibility,
  createCheckContext,
  describeBreaks,
  subsetBreaks,
  type SchemaBreak,
  type VersionedSchema,
} from './compatibility.js';
import { nodeAt } from './compatibility/schema-nodes.js';

// ---------------------------------------------------------------------------------------------------------
// Golden fixtures: test/fixtures/compatibility/{ok,not-ok}/*.json
// ---------------------------------------------------------------------------------------------------------

type ExpectedBreak = Pick<SchemaBreak, 'kind' | 'field' | 'schemaPath' | 'against' | 'direction'>;

interface Fixture {
  description: string;
  mode: CompatibilityMode;
  history: VersionedSchema[];
  next: VersionedSchema;
  expected: ExpectedBreak[];
}

const FIXTURES = join(import.meta.dirname, '../../../test/fixtures/compatibility');

function loadFixtures(folder: 'ok' | 'not-ok'): [string, Fixture][] {
  return readdirSync(join(FIXTURES, folder))
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => [file, JSON.parse(readFileSync(join(FIXTURES, folder, file), 'utf8')) as Fixture]);
}

const ok = loadFixtures('ok');
const notOk = loadFixtures('not-ok');

const essentials = ({ kind, field, schemaPath, against, direction }: ExpectedBreak): ExpectedBreak => ({
  kind,
  field,
  schemaPath,
  against,
  direction,
});
const byKey = (a: ExpectedBreak, b: ExpectedBreak): number =>
  JSON.stringify(essentials(a)).localeCompare(JSON.stringify(essentials(b)));

describe('compatibility golden fixtures', () => {
  it('has at least 30 fixtures on each side, covering every mode', () => {
    expect(ok.length).toBeGreaterThanOrEqual(30);
    expect(notOk.length).toBeGreaterThanOrEqual(30);
    const modes = new Set([...ok, ...notOk].map(([, fixture]) => fixture.mode));
    expect([...modes].sort()).toEqual([...CompatibilityModes].sort());
    for (const [file, fixture] of [...ok, ...notOk]) {
      expect(CompatibilityModes, file).toContain(fixture.mode);
      expect(fixture.description.length, file).toBeGreaterThan(10);
    }
  });

  describe.each(ok)('ok/%s', (_file, fixture) => {
    it('finds no break', () => {
      const breaks = checkCompatibility(fixture.mode, fixture.history, fixture.next);
      expect(breaks.map((b) => b.message)).toEqual([]);
      expect(fixture.expected).toEqual([]);
    });
  });

  describe.each(notOk)('not-ok/%s', (_file, fixture) => {
    it('finds exactly the expected breaks', () => {
      expect(fixture.expected.length).toBeGreaterThan(0);
      const breaks = checkCompatibility(fixture.mode, fixture.history, fixture.next);
      expect(breaks.map(essentials).sort(byKey)).toEqual(fixture.expected.map(essentials).sort(byKey));
    });

    it('explains each break in a sentence naming the field', () => {
      for (const b of checkCompatibility(fixture.mode, fixture.history, fixture.next)) {
        expect(b.message.trim()).not.toBe('');
        expect(b.message).toContain(b.field === '' ? 'payload root' : b.field);
        expect(b.message).toMatch(/\.$/);
      }
    });

    it('uses schemas that compile with Ajv 2020 in strict mode', () => {
      for (const version of [...fixture.history, fixture.next]) {
        expect(() => compileContractSchema(version.schema), version.version).not.toThrow();
      }
    });
  });

  it('ok fixtures also compile with Ajv 2020 in strict mode', () => {
    for (const [file, fixture] of ok) {
      for (const version of [...fixture.history, fixture.next]) {
        expect(() => compileContractSchema(version.schema), `${file} ${version.version}`).not.toThrow();
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Direct unit tests
// ---------------------------------------------------------------------------------------------------------

const v = (version: string, schema: unknown): VersionedSchema => ({ version, schema });
const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown => ({
  type: 'object',
  properties,
  additionalProperties: false,
  ...extra,
});
const chemistry = (values: string[]): unknown => object({ chemistry: { type: 'string', enum: values } });

describe('break messages', () => {
  it('phrases a dropped enum value from the previous to the next version (BACKWARD)', () => {
    const [only, ...rest] = checkCompatibility(
      'BACKWARD',
      [v('1.2.0', chemistry(['LFP', 'NMC']))],
      v('1.3.0', chemistry(['NMC'])),
    );
    expect(rest).toEqual([]);
    expect(only?.message).toBe(
      "/chemistry enum value 'LFP' dropped: payloads from version 1.2.0 that use 'LFP' would be rejected by version 1.3.0.",
    );
  });

  it('phrases an added enum value as a change consumers on the old version reject (FORWARD)', () => {
    const [only] = checkCompatibility(
      'FORWARD',
      [v('1.2.0', chemistry(['LFP']))],
      v('1.3.0', chemistry(['LFP', 'NMC'])),
    );
    expect(only?.message).toBe(
      "/chemistry enum value 'NMC' added: consumers on version 1.2.0 would reject payloads from version 1.3.0 that use 'NMC'.",
    );
  });

  it('names old and new values of a bound in both directions', () => {
    const cfp = (max: number): unknown => object({ cfp: { type: 'number', maximum: max } });
    const [lowered] = checkCompatibility('BACKWARD', [v('1.0.0', cfp(1000))], v('1.1.0', cfp(500)));
    expect(lowered?.message).toBe(
      '/cfp maximum lowered from 1000 to 500: payloads from version 1.0.0 with a value above 500 would be rejected by version 1.1.0.',
    );
    const [raised] = checkCompatibility('FORWARD', [v('1.0.0', cfp(500))], v('1.1.0', cfp(1000)));
    expect(raised?.kind).toBe('CONSTRAINT_LOOSENED');
    expect(raised?.change).toBe('maximum raised from 500 to 1000');
  });

  it('explains a field that became required and a nullable field that lost null', () => {
    const prev = object({ supplierId: { type: 'string' }, recycledPct: { type: ['number', 'null'] } });
    const next = object(
      { supplierId: { type: 'string' }, recycledPct: { type: 'number' } },
      { required: ['supplierId'] },
    );
    const messages = checkCompatibility('BACKWARD', [v('1.0.0', prev)], v('1.1.0', next)).map(
      (b) => b.message,
    );
    expect(messages).toEqual([
      "/recycledPct no longer allows null (type changed from ['number', 'null'] to 'number'): payloads from version 1.0.0 where it is null would be rejected by version 1.1.0.",
      '/supplierId made required: payloads from version 1.0.0 that omit it would be rejected by version 1.1.0.',
    ]);
  });

  it('says why a different pattern is reported even though it might be equivalent', () => {
    const lot = (pattern: string): unknown => object({ lotId: { type: 'string', pattern } });
    const [only] = checkCompatibility('BACKWARD', [v('1', lot('^[0-9]+$'))], v('2', lot('^\\d+$')));
    expect(only?.kind).toBe('PATTERN_CHANGED');
    expect(only?.message).toContain('cannot be proven');
  });

  it('summarises breaks on one line', () => {
    const prev = object({ cfp: { type: 'number', maximum: 1000 }, chemistry: { enum: ['LFP', 'NMC'] } });
    const next = object({ cfp: { type: 'number', maximum: 500 }, chemistry: { enum: ['NMC'] } });
    const breaks = checkCompatibility('BACKWARD', [v('1.2.0', prev)], v('1.3.0', next));
    expect(describeBreaks(breaks)).toBe(
      "2 breaking changes against 1.2.0: /cfp maximum lowered from 1000 to 500, /chemistry enum value 'LFP' dropped",
    );
    expect(describeBreaks([])).toBe('No breaking changes');
  });

  it('marks the direction in the summary when FULL finds both', () => {
    const prev = object({ cfp: { type: 'number', maximum: 1000 }, chemistry: { enum: ['LFP'] } });
    const next = object({ cfp: { type: 'number', maximum: 500 }, chemistry: { enum: ['LFP', 'NMC'] } });
    const summary = describeBreaks(checkCompatibility('FULL', [v('1.0.0', prev)], v('1.1.0', next)));
    expect(summary).toBe(
      "2 breaking changes against 1.0.0: /cfp maximum lowered from 1000 to 500 (backward), /chemistry enum value 'NMC' added (forward)",
    );
  });
});

describe('recursive schemas', () => {
  const tree = (maxLength: number, extra: Record<string, unknown> = {}): unknown => ({
    $defs: {
      node: {
        type: 'object',
        properties: {
          name: { type: 'string', maxLength },
          children: { type: 'array', items: { $ref: '#/$defs/node' } },
          parent: { $ref: '#/$defs/node' },
        },
        ...extra,
      },
      loopA: { $ref: '#/$defs/loopB' },
      loopB: { $ref: '#/$defs/loopA' },
    },
    $ref: '#/$defs/node',
  });

  it('terminates on $ref cycles and still finds the change', () => {
    const breaks = checkCompatibility('FULL', [v('1.0.0', tree(50))], v('1.1.0', tree(20)));
    expect(
      breaks.map(({ kind, field, schemaPath, direction }) => ({ kind, field, schemaPath, direction })),
    ).toEqual([
      {
        kind: 'CONSTRAINT_TIGHTENED',
        field: '/name',
        schemaPath: '/$defs/node/properties/name/maxLength',
        direction: 'BACKWARD',
      },
    ]);
  });

  it('accepts an unchanged recursive schema in both directions', () => {
    expect(
      checkCompatibility('FULL_TRANSITIVE', [v('1', tree(50)), v('2', tree(50))], v('3', tree(50))),
    ).toEqual([]);
  });

  it('survives references that only point at each other', () => {
    const loop = (extra: Record<string, unknown>): unknown => ({
      $defs: { a: { $ref: '#/$defs/b', ...extra }, b: { $ref: '#/$defs/a' } },
      $ref: '#/$defs/a',
    });
    expect(checkCompatibility('FULL', [v('1', loop({}))], v('2', loop({})))).toEqual([]);
    const [tightened] = checkCompatibility('BACKWARD', [v('1', loop({}))], v('2', loop({ type: 'string' })));
    expect(tightened?.kind).toBe('TYPE_NARROWED');
  });
});

describe('conservative corners', () => {
  it('reports an unmodelled keyword change instead of passing it silently', () => {
    const prev = { type: 'object', not: { required: ['a'] } };
    const next = { type: 'object', not: { required: ['b'] } };
    const breaks = checkCompatibility('FULL', [v('1', prev)], v('2', next));
    expect(breaks.map((b) => [b.kind, b.direction, b.schemaPath])).toEqual([
      ['UNSUPPORTED_KEYWORD_CHANGED', 'BACKWARD', '/not'],
      ['UNSUPPORTED_KEYWORD_CHANGED', 'FORWARD', '/not'],
    ]);
    expect(breaks[0]?.message).toContain("cannot prove compatibility of keyword 'not'");
  });

  it('reports unknown keywords in either direction', () => {
    const breaks = checkCompatibility(
      'BACKWARD',
      [v('1', { type: 'string', 'x-unit': 'kg' })],
      v('2', { type: 'string' }),
    );
    expect(breaks.map((b) => b.kind)).toEqual(['UNSUPPORTED_KEYWORD_CHANGED']);
  });

  it('treats a reference it cannot resolve as breaking', () => {
    const breaks = checkCompatibility(
      'BACKWARD',
      [v('1', { type: 'string' })],
      v('2', { $ref: 'https://example.com/other.json' }),
    );
    expect(breaks.map((b) => [b.kind, b.schemaPath])).toEqual([['UNSUPPORTED_KEYWORD_CHANGED', '/$ref']]);
  });

  it('checks enum values exactly against the other side', () => {
    const prev = { type: 'integer', enum: [1, 2, 3] };
    expect(checkCompatibility('BACKWARD', [v('1', prev)], v('2', { type: 'integer', maximum: 3 }))).toEqual(
      [],
    );
    const [dropped] = checkCompatibility('BACKWARD', [v('1', prev)], v('2', { type: 'integer', maximum: 2 }));
    expect(dropped?.kind).toBe('ENUM_VALUE_DROPPED');
    expect(dropped?.change).toBe('enum value 3 no longer accepted (must be <= 2)');
    expect(dropped?.schemaPath).toBe('/maximum');
  });

  it('requires a oneOf alternative to stay exclusive', () => {
    const prev = { oneOf: [{ type: 'string', maxLength: 5 }, { type: 'integer' }] };
    const next = { oneOf: [{ type: 'string' }, { type: ['string', 'integer'], maxLength: 3 }] };
    const breaks = checkCompatibility('BACKWARD', [v('1', prev)], v('2', next));
    expect(breaks.map((b) => b.kind)).toContain('COMPOSITION_CHANGED');
  });

  it('resolves fragments inside a nested $id resource against that resource', () => {
    const doc = (nestedMax: number): unknown => ({
      type: 'object',
      properties: { address: { $ref: '#/$defs/address' } },
      $defs: {
        zip: { type: 'string', maxLength: 3 },
        address: {
          $id: 'https://renkei.example/schemas/address',
          type: 'object',
          properties: { zip: { $ref: '#/$defs/zip' } },
          $defs: { zip: { type: 'string', maxLength: nestedMax } },
        },
      },
    });
    expect(() => compileContractSchema(doc(10))).not.toThrow();
    const breaks = checkCompatibility('BACKWARD', [v('1', doc(10))], v('2', doc(5)));
    expect(breaks.map((b) => [b.field, b.schemaPath])).toEqual([
      ['/address/zip', '/$defs/address/$defs/zip/maxLength'],
    ]);
  });

  it('compares patternProperties pattern by pattern and reports changed patterns', () => {
    const meta = (patterns: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown =>
      object({
        meta: { type: 'object', patternProperties: patterns, additionalProperties: false, ...extra },
      });
    const narrowed = checkCompatibility(
      'BACKWARD',
      [v('1', meta({ '^x-': { type: 'string' } }))],
      v('2', meta({ '^x-': { type: 'string', maxLength: 8 } })),
    );
    expect(narrowed.map((b) => [b.kind, b.field, b.schemaPath])).toEqual([
      ['CONSTRAINT_TIGHTENED', '/meta/*', '/properties/meta/patternProperties/^x-/maxLength'],
    ]);
    const renamed = checkCompatibility(
      'BACKWARD',
      [v('1', meta({ '^x-': { type: 'string' } }))],
      v('2', meta({ '^ext-': { type: 'string' } })),
    );
    expect(renamed.map((b) => b.kind)).toEqual(['UNSUPPORTED_KEYWORD_CHANGED']);
    // A closed object without patterns had no undeclared fields, so new patterns cannot reject anything.
    expect(
      checkCompatibility('BACKWARD', [v('1', meta({}))], v('2', meta({ '^x-': { type: 'string' } }))),
    ).toEqual([]);
  });

  it('accepts unevaluatedProperties only while the schema around it is unchanged', () => {
    const doc = (max: number): unknown => ({
      type: 'object',
      allOf: [{ $ref: '#/$defs/base' }],
      properties: { note: { type: 'string', maxLength: max } },
      unevaluatedProperties: false,
      $defs: { base: { type: 'object', properties: { id: { type: 'string' } } } },
    });
    expect(checkCompatibility('FULL', [v('1', doc(10))], v('2', doc(10)))).toEqual([]);
    const [changed, ...rest] = checkCompatibility('BACKWARD', [v('1', doc(10))], v('2', doc(20)));
    expect(rest).toEqual([]);
    expect(changed?.kind).toBe('UNSUPPORTED_KEYWORD_CHANGED');
    expect(changed?.message).toContain("the schema around keyword 'unevaluatedProperties' changed");
  });

  it('reports a required field that disappears from a closed object as removed (FORWARD)', () => {
    const prev = object(
      { lotId: { type: 'string' }, cfp: { type: 'number' } },
      { required: ['lotId', 'cfp'] },
    );
    const next = object({ lotId: { type: 'string' } }, { required: ['lotId'] });
    const breaks = checkCompatibility('FULL', [v('1.0.0', prev)], v('1.1.0', next));
    expect(
      breaks.map(({ kind, field, schemaPath, direction }) => ({ kind, field, schemaPath, direction })),
    ).toEqual([
      { kind: 'FIELD_REMOVED', field: '/cfp', schemaPath: '/properties/cfp', direction: 'BACKWARD' },
      { kind: 'FIELD_REMOVED', field: '/cfp', schemaPath: '/properties/cfp', direction: 'FORWARD' },
    ]);
    expect(breaks[1]?.message).toBe(
      '/cfp removed, although version 1.0.0 requires it: consumers on version 1.0.0 would reject payloads from version 1.1.0 that omit it.',
    );
  });

  it('exposes the core subset check', () => {
    const doc = (schema: unknown) => nodeAt({ root: schema }, schema, '');
    const ctx = createCheckContext('BACKWARD', '1.0.0', '1.1.0');
    const narrow = doc({ type: 'integer', minimum: 1 });
    expect(subsetBreaks(narrow, doc({ type: 'number', exclusiveMinimum: 0 }), ctx)).toEqual([]);
    expect(subsetBreaks(narrow, doc({ type: 'number', minimum: 2 }), ctx).map((b) => b.kind)).toEqual([
      'CONSTRAINT_TIGHTENED',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Soundness, as a property: whenever the checker finds no break, no payload may tell otherwise
// ---------------------------------------------------------------------------------------------------------

describe('soundness against Ajv on generated schema pairs', () => {
  // A small deterministic PRNG (mulberry32), so failures reproduce.
  let state = 20260101;
  const random = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const chance = (p: number): boolean => random() < p;
  const pickOne = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const NUMBERS = [-1, 0, 0.5, 1, 2, 10, 100];
  const STRINGS = ['', 'A', 'LFP', 'NMC', 'x-1', '2024-01-01', '12345'];
  const NAMES = ['a', 'b', 'c'];
  type Schema = boolean | Record<string, unknown>;

  const schema = (depth: number): Schema => {
    if (chance(0.05)) return chance(0.5);
    const s: Record<string, unknown> = {};
    const shape = pickOne([
      'string',
      'number',
      'integer',
      'object',
      'array',
      'null',
      'nullable',
      'enum',
      'union',
      'any',
    ]);
    if (shape === 'enum')
      return { enum: [...new Set([pickOne([...STRINGS, ...NUMBERS]), pickOne(STRINGS)])] };
    if (shape === 'union' && depth > 0)
      return { [pickOne(['anyOf', 'oneOf'])]: [schema(depth - 1), schema(depth - 1)] };
    if (shape === 'nullable') s.type = [pickOne(['string', 'number', 'integer']), 'null'];
    else if (shape !== 'any' && shape !== 'union') s.type = shape;
    if (chance(0.3)) s.minimum = pickOne(NUMBERS);
    if (chance(0.3)) s.maximum = pickOne(NUMBERS);
    if (chance(0.1)) s.exclusiveMinimum = pickOne(NUMBERS);
    if (chance(0.1)) s.multipleOf = pickOne([0.5, 1, 2]);
    if (chance(0.3)) s.maxLength = pickOne([0, 1, 3, 5]);
    if (chance(0.1)) s.pattern = pickOne(['^A', '^[0-9]+$']);
    if (depth > 0 && (shape === 'array' || shape === 'any')) {
      if (chance(0.7)) s.items = schema(depth - 1);
      if (chance(0.2)) s.prefixItems = [schema(depth - 1)];
      if (chance(0.3)) s.maxItems = pickOne([0, 1, 2, 3]);
      if (chance(0.2)) s.uniqueItems = true;
    }
    if (depth > 0 && (shape === 'object' || shape === 'any')) {
      s.properties = Object.fromEntries(NAMES.filter(() => chance(0.5)).map((n) => [n, schema(depth - 1)]));
      if (chance(0.4)) s.required = NAMES.filter(() => chance(0.4));
      if (chance(0.4)) s.additionalProperties = chance(0.6) ? false : schema(depth - 1);
    }
    if (chance(0.05)) s.const = pickOne([...STRINGS, ...NUMBERS]);
    if (chance(0.15) && depth === 2) return { $defs: { d: s }, $ref: '#/$defs/d' }; // root only
    return s;
  };

  const mutate = (s: Schema, depth: number): Schema => {
    if (typeof s === 'boolean' || chance(0.1)) return schema(depth);
    const copy = structuredClone(s);
    const key = pickOne(Object.keys(copy));
    if (key === undefined || chance(0.4)) Object.assign(copy, schema(depth));
    else if (key === 'properties') {
      const props = copy.properties as Record<string, Schema>;
      const name = pickOne(NAMES);
      if (props[name] !== undefined && chance(0.4)) delete props[name];
      else props[name] = mutate(props[name] ?? true, depth - 1);
    } else if (key === 'items' || key === 'additionalProperties')
      copy[key] = mutate(copy[key] as Schema, depth - 1);
    else if (key === 'anyOf' || key === 'oneOf') (copy[key] as Schema[]).push(schema(depth - 1));
    else delete copy[key];
    return copy;
  };

  const value = (depth: number, numbers: number[], strings: string[]): unknown => {
    const r = random();
    if (r < 0.1) return null;
    if (r < 0.2) return chance(0.5);
    if (r < 0.45) return pickOne(numbers);
    if (r < 0.7) return pickOne(strings);
    if (r < 0.85 || depth <= 0)
      return Array.from({ length: Math.floor(random() * 4) }, () => value(depth - 1, numbers, strings));
    return Object.fromEntries(
      [...NAMES, 'extra'].filter(() => chance(0.5)).map((n) => [n, value(depth - 1, numbers, strings)]),
    );
  };

  /** Constants from both schemas, nudged, so boundaries get probed. */
  const harvest = (x: unknown, numbers: Set<number>, strings: Set<string>): void => {
    if (typeof x === 'number') [0, 0.5, -0.5, 1, -1].forEach((d) => numbers.add(x + d));
    else if (typeof x === 'string')
      [x, `${x}x`, '1'.repeat(Math.min(8, x.length + 1))].forEach((v) => strings.add(v));
    else if (Array.isArray(x)) x.forEach((y) => harvest(y, numbers, strings));
    else if (x !== null && typeof x === 'object')
      Object.values(x).forEach((y) => harvest(y, numbers, strings));
  };

  it('never reports "compatible" for a pair that a payload proves incompatible', () => {
    const ajv = new Ajv2020({ strict: false, allowUnionTypes: true, validateFormats: false });
    let proven = 0;
    for (let i = 0; i < 400; i++) {
      const prev = schema(2);
      const next = chance(0.1) ? structuredClone(prev) : mutate(prev, 2);
      const numbers = new Set(NUMBERS);
      const strings = new Set(STRINGS);
      harvest([prev, next], numbers, strings);
      const payloads = Array.from({ length: 400 }, () => value(3, [...numbers], [...strings]));
      let validate;
      try {
        validate = { prev: ajv.compile(prev), next: ajv.compile(next) };
      } catch {
        continue; // e.g. a mutation left a $ref without its $defs: not a schema Ajv accepts either
      }
      for (const direction of ['BACKWARD', 'FORWARD'] as const) {
        const breaks = checkCompatibility(direction, [v('1', prev)], v('2', next));
        if (breaks.length > 0) continue;
        proven++;
        const [narrow, wide] =
          direction === 'BACKWARD' ? [validate.prev, validate.next] : [validate.next, validate.prev];
        const witness = payloads.find((p) => narrow(p) && !wide(p));
        expect(
          witness,
          `${direction}\nprev=${JSON.stringify(prev)}\nnext=${JSON.stringify(next)}`,
        ).toBeUndefined();
      }
    }
    expect(proven).toBeGreaterThan(100);
  });
});
