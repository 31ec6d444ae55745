/**
 * JSON Schema checks for the test publisher's form, as the user types, with @cfworker/json-schema: it
 * interprets schemas instead of compiling them to code, so it runs under the console's
 * Content-Security-Policy (script-src 'self', no 'unsafe-eval'), which Ajv's `new Function` cannot. The
 * exchange still checks every payload with Ajv, and its refusal is shown on the field it names.
 */
import { Validator, type OutputUnit, type SchemaDraft } from '@cfworker/json-schema';

export type Schema = Record<string, unknown>;

export interface Failure {
  /** JSON Pointer into the payload. */
  path: string;
  keyword: string;
  params: Record<string, string | number>;
}

/** Keywords that only say "a part below failed": the part's own failure is reported. */
const APPLICATORS = new Set([
  'properties',
  'patternProperties',
  'items',
  'prefixItems',
  'additionalItems',
  'allOf',
  '$ref',
  '$dynamicRef',
  'dependentSchemas',
  'if',
  'then',
  'else',
  'unevaluatedProperties',
  'unevaluatedItems',
]);

const drafts: Record<string, SchemaDraft> = {
  'https://json-schema.org/draft/2020-12/schema': '2020-12',
  'https://json-schema.org/draft/2019-09/schema': '2019-09',
  'http://json-schema.org/draft-07/schema#': '7',
  'http://json-schema.org/draft-04/schema#': '4',
};

const validators = new WeakMap<object, Validator>();

function validatorFor(schema: Schema): Validator {
  let v = validators.get(schema);
  if (!v) {
    const draft = drafts[typeof schema.$schema === 'string' ? schema.$schema : ''] ?? '2020-12';
    v = new Validator(schema, draft, false);
    validators.set(schema, v);
  }
  return v;
}

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** `#/a/b` (a location in the payload or the schema) as a JSON Pointer `/a/b`. */
const pointer = (location: string) => location.replace(/^#/, '');

/** The schema value a failed keyword names (e.g. the limit of `minimum`). */
function schemaAt(root: Schema, location: string): unknown {
  let at: unknown = root;
  for (const part of pointer(location).split('/').filter(Boolean))
    at = (at as Record<string, unknown> | undefined)?.[
      decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~')
    ];
  return at;
}

function params(root: Schema, unit: OutputUnit): Record<string, string | number> {
  const value = schemaAt(root, unit.keywordLocation);
  switch (unit.keyword) {
    case 'type':
      return { type: Array.isArray(value) ? value.join(', ') : String(value) };
    case 'enum':
      return { values: Array.isArray(value) ? value.map((e) => JSON.stringify(e)).join(', ') : '' };
    case 'const':
      return { value: JSON.stringify(value) };
    case 'pattern':
      return { pattern: String(value) };
    case 'format':
      return { format: String(value) };
    default:
      return typeof value === 'number' ? { limit: value } : {};
  }
}

export function validate(schema: Schema | boolean, value: unknown): Failure[] {
  if (schema === true) return [];
  if (schema === false) return [{ path: '', keyword: 'false', params: {} }];
  const { errors } = validatorFor(schema).validate(value);
  const out: Failure[] = [];
  const extra = new Set<string>(); // payload paths refused by additionalProperties
  for (const unit of errors) {
    const at = pointer(unit.instanceLocation);
    if (unit.keyword === 'required') {
      const property = /property "(.*)"/.exec(unit.error)?.[1] ?? '';
      out.push({ path: `${at}/${escape(property)}`, keyword: 'required', params: { property } });
    } else if (unit.keyword === 'additionalProperties') {
      const property = /Property "(.*)" does not match/.exec(unit.error)?.[1];
      if (property === undefined) continue;
      extra.add(`${at}/${escape(property)}`);
      out.push({ path: `${at}/${escape(property)}`, keyword: 'additionalProperties', params: { property } });
    } else if (unit.keyword === 'false' && extra.has(at)) {
      continue; // the same refusal, seen from the property
    } else if (!APPLICATORS.has(unit.keyword)) {
      out.push({ path: at, keyword: unit.keyword, params: params(schema, unit) });
    }
  }
  return out;
}
