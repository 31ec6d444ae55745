/** JSON Schema → ODCS properties (the export half of the schema mapping described in odcs.ts). */
import { clone, isRecord, type JsonSchema } from './json.js';
import type { OdcsLogicalType, OdcsProperty } from './types.js';

/** JSON Schema `format`s that ODCS expresses as `logicalType: date`, with the JDK pattern ODCS expects. */
const DATE_FORMATS: Record<string, string> = {
  date: 'yyyy-MM-dd',
  'date-time': "yyyy-MM-dd'T'HH:mm:ss[.SSS]XXX",
  time: 'HH:mm:ss[.SSS]XXX',
};

const JSON_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array'] as const;
type JsonType = (typeof JSON_TYPES)[number];
const isJsonType = (t: unknown): t is JsonType => JSON_TYPES.includes(t as JsonType);

function typeOfValue(v: unknown): JsonType | 'null' | undefined {
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (Array.isArray(v)) return 'array';
  if (isRecord(v)) return 'object';
  return undefined;
}

/** The one non-null JSON type a schema describes (if it describes one), and whether it admits null. */
function baseType(schema: JsonSchema): { type: JsonType | undefined; nullable: boolean } {
  const declared = schema.type;
  if (typeof declared === 'string') {
    return { type: isJsonType(declared) ? declared : undefined, nullable: declared === 'null' };
  }
  if (Array.isArray(declared)) {
    const nonNull = (declared as unknown[]).filter((t) => t !== 'null');
    const only = nonNull.length === 1 ? nonNull[0] : undefined;
    return { type: isJsonType(only) ? only : undefined, nullable: declared.includes('null') };
  }
  const values = Array.isArray(schema.enum) ? schema.enum : 'const' in schema ? [schema.const] : undefined;
  if (values) {
    const types = new Set(values.map(typeOfValue).filter((t) => t !== 'null'));
    if (types.size === 2 && types.has('integer') && types.has('number')) types.delete('integer');
    const only = types.size === 1 ? [...types][0] : undefined;
    return { type: isJsonType(only) ? only : undefined, nullable: values.includes(null) };
  }
  if (isRecord(schema.properties)) return { type: 'object', nullable: false };
  if ('items' in schema) return { type: 'array', nullable: false };
  return { type: undefined, nullable: false };
}

const pick = (schema: JsonSchema, keys: readonly string[]) =>
  Object.fromEntries(keys.filter((k) => schema[k] !== undefined).map((k) => [k, schema[k]]));

function numericOptions(schema: JsonSchema): Record<string, unknown> {
  const options: Record<string, unknown> = pick(schema, ['minimum', 'maximum', 'multipleOf']);
  // JSON Schema 2020-12 exclusive bounds are numbers; ODCS v3.0.x has a bound plus a boolean flag.
  if (typeof schema.exclusiveMinimum === 'number') {
    if (typeof schema.minimum !== 'number' || schema.exclusiveMinimum >= schema.minimum) {
      options.minimum = schema.exclusiveMinimum;
      options.exclusiveMinimum = true;
    }
  }
  if (typeof schema.exclusiveMaximum === 'number') {
    if (typeof schema.maximum !== 'number' || schema.exclusiveMaximum <= schema.maximum) {
      options.maximum = schema.exclusiveMaximum;
      options.exclusiveMaximum = true;
    }
  }
  return options;
}

function dateOptions(schema: JsonSchema, format: string): Record<string, unknown> {
  const options: Record<string, unknown> = { format: DATE_FORMATS[format] };
  if (typeof schema.formatMinimum === 'string') options.minimum = schema.formatMinimum;
  if (typeof schema.formatExclusiveMinimum === 'string') {
    options.minimum = schema.formatExclusiveMinimum;
    options.exclusiveMinimum = true;
  }
  if (typeof schema.formatMaximum === 'string') options.maximum = schema.formatMaximum;
  if (typeof schema.formatExclusiveMaximum === 'string') {
    options.maximum = schema.formatExclusiveMaximum;
    options.exclusiveMaximum = true;
  }
  return options;
}

function requiredOf(schema: JsonSchema): Set<string> {
  return new Set(Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : []);
}

function propertiesOf(schema: JsonSchema): [string, JsonSchema][] {
  if (!isRecord(schema.properties)) return [];
  return Object.entries(schema.properties).map(([name, s]) => [name, isRecord(s) ? s : {}]);
}

/** One JSON Schema property as an ODCS property (`name` undefined for array `items`). */
function toOdcsProperty(name: string | undefined, schema: JsonSchema, inRequired: boolean): OdcsProperty {
  const { type, nullable } = baseType(schema);
  const format = typeof schema.format === 'string' ? schema.format : undefined;
  const isDate = type === 'string' && format !== undefined && format in DATE_FORMATS;
  const logicalType: OdcsLogicalType | undefined = isDate ? 'date' : type;

  let options: Record<string, unknown> = {};
  if (isDate && format) options = dateOptions(schema, format);
  else if (type === 'string') options = pick(schema, ['minLength', 'maxLength', 'pattern', 'format']);
  else if (type === 'number' || type === 'integer') options = numericOptions(schema);
  else if (type === 'object') options = pick(schema, ['minProperties', 'maxProperties']);
  else if (type === 'array') options = pick(schema, ['minItems', 'maxItems', 'uniqueItems']);

  const values = Array.isArray(schema.enum) ? schema.enum : 'const' in schema ? [schema.const] : undefined;
  const validValues = values?.filter((v) => v !== null);

  const property: OdcsProperty = {
    ...(name !== undefined ? { name } : {}),
    ...(typeof schema.title === 'string' ? { businessName: schema.title } : {}),
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    ...(logicalType ? { logicalType } : {}),
    ...(Object.keys(options).length > 0 ? { logicalTypeOptions: clone(options) } : {}),
    ...(type ? { physicalType: type } : {}),
    ...(name !== undefined ? { required: inRequired && !nullable } : {}),
    ...(Array.isArray(schema.examples) ? { examples: clone(schema.examples) } : {}),
    ...(validValues && validValues.length > 0
      ? { quality: [{ type: 'library' as const, rule: 'validValues', validValues: clone(validValues) }] }
      : {}),
  };
  if (type === 'object') {
    const required = requiredOf(schema);
    property.properties = propertiesOf(schema).map(([n, s]) => toOdcsProperty(n, s, required.has(n)));
  }
  if (type === 'array' && isRecord(schema.items)) {
    property.items = toOdcsProperty(undefined, schema.items, false);
  }
  return property;
}

/** The ODCS properties of a payload JSON Schema (its top-level `properties`, recursively). */
export function odcsPropertiesOf(schema: Record<string, unknown>): OdcsProperty[] {
  const required = requiredOf(schema);
  return propertiesOf(schema).map(([name, s]) => toOdcsProperty(name, s, required.has(name)));
}
