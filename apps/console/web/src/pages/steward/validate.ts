/**
 * JSON Schema (2020-12) checks for the test publisher's form, as the user types. Ajv cannot run here: it
 * compiles schemas to code with `new Function`, which the console's Content-Security-Policy forbids
 * (script-src 'self', no 'unsafe-eval'). This interprets the keywords contracts use; the exchange checks
 * every payload with Ajv anyway, and its refusal is shown on the field it names.
 */
export type Schema = Record<string, unknown>;

export interface Failure {
  /** JSON Pointer into the payload. */
  path: string;
  keyword: string;
  params: Record<string, string | number>;
}

const typeOf = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
};

const matchesType = (v: unknown, type: string) => {
  const actual = typeOf(v);
  return actual === type || (type === 'number' && actual === 'integer');
};

const formats: Record<string, (s: string) => boolean> = {
  'date-time': (s) =>
    /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) &&
    !Number.isNaN(Date.parse(s)),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  time: (s) => /^\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/.test(s),
  email: (s) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s),
  uri: (s) => /^[a-z][a-z0-9+.-]*:[^\s]*$/i.test(s),
  uuid: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
};

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Resolves a local `$ref` (#/$defs/… or #/definitions/…) against the root schema. */
function deref(schema: Schema, root: Schema): Schema {
  let s = schema;
  for (let i = 0; i < 16 && typeof s.$ref === 'string' && s.$ref.startsWith('#'); i++) {
    let target: unknown = root;
    for (const part of s.$ref.slice(2).split('/').filter(Boolean))
      target = (target as Record<string, unknown> | undefined)?.[
        part.replace(/~1/g, '/').replace(/~0/g, '~')
      ];
    if (!target || typeof target !== 'object') break;
    s = { ...(target as Schema), ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== '$ref')) };
  }
  return s;
}

export function validate(schema: Schema | boolean, value: unknown, path = '', root?: Schema): Failure[] {
  if (schema === true) return [];
  if (schema === false) return [{ path, keyword: 'false', params: {} }];
  const r = root ?? schema;
  const s = deref(schema, r);
  const out: Failure[] = [];
  const fail = (keyword: string, params: Record<string, string | number> = {}, at = path) =>
    out.push({ path: at, keyword, params });

  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => matchesType(value, t))) {
      fail('type', { type: types.join(', ') });
      return out; // nothing else is meaningful on the wrong type
    }
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    fail('enum', { values: s.enum.map((e) => JSON.stringify(e)).join(', ') });
  if (s.const !== undefined && JSON.stringify(s.const) !== JSON.stringify(value))
    fail('const', { value: JSON.stringify(s.const) });

  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) fail('minimum', { limit: s.minimum });
    if (typeof s.maximum === 'number' && value > s.maximum) fail('maximum', { limit: s.maximum });
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum)
      fail('exclusiveMinimum', { limit: s.exclusiveMinimum });
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum)
      fail('exclusiveMaximum', { limit: s.exclusiveMaximum });
    if (
      typeof s.multipleOf === 'number' &&
      Math.abs(value / s.multipleOf - Math.round(value / s.multipleOf)) > 1e-9
    )
      fail('multipleOf', { limit: s.multipleOf });
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof s.minLength === 'number' && length < s.minLength) fail('minLength', { limit: s.minLength });
    if (typeof s.maxLength === 'number' && length > s.maxLength) fail('maxLength', { limit: s.maxLength });
    if (typeof s.pattern === 'string') {
      let re: RegExp | undefined;
      try {
        re = new RegExp(s.pattern, 'u');
      } catch {
        re = undefined;
      }
      if (re && !re.test(value)) fail('pattern', { pattern: s.pattern });
    }
    if (typeof s.format === 'string' && formats[s.format] && !formats[s.format]!(value))
      fail('format', { format: s.format });
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) fail('minItems', { limit: s.minItems });
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) fail('maxItems', { limit: s.maxItems });
    if (s.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length)
      fail('uniqueItems');
    const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as Schema[]) : [];
    value.forEach((item, i) => {
      const itemSchema = i < prefix.length ? prefix[i] : (s.items as Schema | boolean | undefined);
      if (itemSchema !== undefined) out.push(...validate(itemSchema, item, `${path}/${i}`, r));
    });
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema | boolean>;
    for (const name of (s.required as string[] | undefined) ?? [])
      if (!(name in obj)) fail('required', { property: name }, `${path}/${escape(name)}`);
    for (const [name, v] of Object.entries(obj)) {
      const at = `${path}/${escape(name)}`;
      if (name in props) out.push(...validate(props[name]!, v, at, r));
      else if (s.additionalProperties === false) fail('additionalProperties', { property: name }, at);
      else if (s.additionalProperties && typeof s.additionalProperties === 'object')
        out.push(...validate(s.additionalProperties as Schema, v, at, r));
    }
    if (typeof s.minProperties === 'number' && Object.keys(obj).length < s.minProperties)
      fail('minProperties', { limit: s.minProperties });
  }
  if (Array.isArray(s.allOf))
    for (const sub of s.allOf as Schema[]) out.push(...validate(sub, value, path, r));
  if (
    Array.isArray(s.anyOf) &&
    !(s.anyOf as Schema[]).some((sub) => validate(sub, value, path, r).length === 0)
  )
    fail('anyOf');
  if (Array.isArray(s.oneOf)) {
    const passing = (s.oneOf as Schema[]).filter((sub) => validate(sub, value, path, r).length === 0).length;
    if (passing !== 1) fail('oneOf');
  }
  return out;
}
