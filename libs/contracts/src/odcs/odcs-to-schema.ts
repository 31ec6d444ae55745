/**
 * ODCS properties → JSON Schema 2020-12 (the import half of the schema mapping described in odcs.ts).
 * Problems are collected in the context, so one 400 can name every failing property.
 */
import { z } from 'zod';
import { compileLinear, pointer } from '@renkei/domain';
import { check, CustomPropertySchema, type Ctx } from './import-context.js';
import { isRecord, type JsonSchema } from './json.js';
import { OdcsErrorCodes } from './types.js';

/** Formats the platform's Ajv (with ajv-formats) knows; others would fail strict compilation. */
const AJV_FORMATS = new Set([
  'date',
  'time',
  'date-time',
  'iso-time',
  'iso-date-time',
  'duration',
  'uri',
  'uri-reference',
  'uri-template',
  'url',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'regex',
  'uuid',
  'json-pointer',
  'json-pointer-uri-fragment',
  'relative-json-pointer',
  'byte',
  'int32',
  'int64',
  'float',
  'double',
  'password',
  'binary',
]);

export const PropertyNodeSchema = z.looseObject({
  name: z.string().min(1).optional(),
  businessName: z.string().optional(),
  description: z.string().optional(),
  logicalType: z.string().optional(),
  logicalTypeOptions: z
    .union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))])
    .optional(),
  physicalType: z.string().optional(),
  required: z.boolean().optional(),
  classification: z.string().optional(),
  tags: z.array(z.string()).optional(),
  examples: z.array(z.unknown()).optional(),
  quality: z.array(z.looseObject({})).optional(),
  customProperties: z.array(CustomPropertySchema).optional(),
  properties: z.array(z.unknown()).optional(),
  items: z.unknown().optional(),
});
export type PropertyNode = z.infer<typeof PropertyNodeSchema>;

export function parseNode(raw: unknown, path: string, ctx: Ctx, named: boolean): PropertyNode | undefined {
  const result = PropertyNodeSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      ctx.issues.push({
        code: OdcsErrorCodes.invalidDocument,
        path: path + pointer(issue.path),
        message: issue.message,
      });
    }
    return undefined;
  }
  const node = result.data;
  if (named && node.name === undefined) {
    ctx.issues.push({ code: OdcsErrorCodes.invalidDocument, path: `${path}/name`, message: 'is required' });
    return undefined;
  }
  return node;
}

function optionsOf(node: PropertyNode, path: string, ctx: Ctx): Record<string, unknown> {
  const options = node.logicalTypeOptions;
  if (!Array.isArray(options)) return options ?? {};
  // The ODCS v3.0.2 text shows `logicalTypeOptions` as a list of one-key maps in one example; accept it.
  ctx.warnings.push(`${path}/logicalTypeOptions is a list; read as one map (ODCS expects a map)`);
  return Object.assign({}, ...options) as Record<string, unknown>;
}

/** The JSON Schema `format` an ODCS date-like property means. */
function dateFormatOf(logicalType: string, node: PropertyNode, format: unknown, path: string, ctx: Ctx) {
  if (logicalType === 'timestamp') return 'date-time';
  if (logicalType === 'time') return 'time';
  if (typeof format === 'string') {
    const pattern = format.replace(/'[^']*'/g, '');
    const hasDate = /[yuMLdD]/.test(pattern);
    const hasTime = /[HhKkms]/.test(pattern);
    if (hasDate && hasTime) return 'date-time';
    if (hasTime) return 'time';
    if (hasDate) return 'date';
  }
  const physical = node.physicalType?.toLowerCase() ?? '';
  if (/^date$/.test(physical)) return 'date';
  if (/^time\b/.test(physical)) return 'time';
  if (/timestamp|datetime/.test(physical)) return 'date-time';
  ctx.warnings.push(`${path}: logicalType date without a format; ODCS's default ISO 8601 date-time is used`);
  return 'date-time';
}

const DATE_VALUE: Record<string, RegExp> = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/,
  time: /^\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/,
};

type OptionReader = (key: string, value: unknown, optionPath: string) => void;

function readOptions(
  options: Record<string, unknown>,
  path: string,
  ctx: Ctx,
  readers: Record<string, OptionReader>,
) {
  for (const [key, value] of Object.entries(options)) {
    const reader = readers[key];
    const optionPath = `${path}/logicalTypeOptions${pointer([key])}`;
    if (reader) reader(key, value, optionPath);
    else ctx.warnings.push(`${optionPath}: option not defined for this logicalType; ignored`);
  }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function countOption(schema: JsonSchema, ctx: Ctx): OptionReader {
  return (key, value, path) => {
    if (check(ctx, isCount(value), path, 'must be a non-negative integer')) schema[key] = value;
  };
}

function stringSchema(options: Record<string, unknown>, path: string, ctx: Ctx): JsonSchema {
  const schema: JsonSchema = { type: 'string' };
  readOptions(options, path, ctx, {
    minLength: countOption(schema, ctx),
    maxLength: countOption(schema, ctx),
    pattern: (_key, value, p) => {
      if (!check(ctx, typeof value === 'string', p, 'must be a string')) return;
      // Compiled with RE2, as the contract's validators will be (linear time; see linear-regex.ts).
      try {
        compileLinear(value as string);
        schema.pattern = value;
      } catch (error) {
        check(ctx, false, p, `is not supported: ${(error as Error).message}`);
      }
    },
    format: (_key, value, p) => {
      if (!check(ctx, typeof value === 'string', p, 'must be a string')) return;
      if (AJV_FORMATS.has(value as string)) schema.format = value;
      else ctx.warnings.push(`${p}: format '${String(value)}' is not checked by Renkei; ignored`);
    },
  });
  return schema;
}

function dateSchema(
  logicalType: string,
  node: PropertyNode,
  options: Record<string, unknown>,
  path: string,
  ctx: Ctx,
): JsonSchema {
  const format = dateFormatOf(logicalType, node, options.format, path, ctx);
  const schema: JsonSchema = { type: 'string', format };
  const bounds: {
    minimum?: string;
    maximum?: string;
    exclMin?: boolean | string;
    exclMax?: boolean | string;
  } = {};
  readOptions(options, path, ctx, {
    format: (_k, value, p) => void check(ctx, typeof value === 'string', p, 'must be a string'),
    minimum: (_k, value, p) => {
      if (check(ctx, typeof value === 'string', p, 'must be a string')) bounds.minimum = value as string;
    },
    maximum: (_k, value, p) => {
      if (check(ctx, typeof value === 'string', p, 'must be a string')) bounds.maximum = value as string;
    },
    exclusiveMinimum: (_k, value, p) => {
      const ok = typeof value === 'boolean' || typeof value === 'string';
      if (check(ctx, ok, p, 'must be a boolean (v3.0) or a date (v3.1)')) bounds.exclMin = value as boolean;
    },
    exclusiveMaximum: (_k, value, p) => {
      const ok = typeof value === 'boolean' || typeof value === 'string';
      if (check(ctx, ok, p, 'must be a boolean (v3.0) or a date (v3.1)')) bounds.exclMax = value as boolean;
    },
    timezone: () => undefined,
    defaultTimezone: () => undefined,
  });
  const set = (keyword: string, value: string | undefined, option: string) => {
    if (value === undefined) return;
    if (DATE_VALUE[format]?.test(value)) schema[keyword] = value;
    else ctx.warnings.push(`${path}/logicalTypeOptions/${option}: '${value}' is not a ${format}; ignored`);
  };
  if (typeof bounds.exclMin === 'string') set('formatExclusiveMinimum', bounds.exclMin, 'exclusiveMinimum');
  set(bounds.exclMin === true ? 'formatExclusiveMinimum' : 'formatMinimum', bounds.minimum, 'minimum');
  if (typeof bounds.exclMax === 'string') set('formatExclusiveMaximum', bounds.exclMax, 'exclusiveMaximum');
  set(bounds.exclMax === true ? 'formatExclusiveMaximum' : 'formatMaximum', bounds.maximum, 'maximum');
  return schema;
}

function numberSchema(type: 'number' | 'integer', options: Record<string, unknown>, path: string, ctx: Ctx) {
  const schema: JsonSchema = { type };
  const flags: { exclusiveMinimum?: boolean; exclusiveMaximum?: boolean } = {};
  const num = (key: string, value: unknown, p: string) => {
    if (check(ctx, typeof value === 'number', p, 'must be a number')) schema[key] = value;
  };
  const exclusive = (key: 'exclusiveMinimum' | 'exclusiveMaximum', value: unknown, p: string) => {
    if (typeof value === 'boolean')
      flags[key] = value; // ODCS v3.0.x: a flag on minimum/maximum
    else num(key, value, p); // ODCS v3.1.0: the bound itself, as in JSON Schema
  };
  readOptions(options, path, ctx, {
    minimum: num,
    maximum: num,
    exclusiveMinimum: (_k, v, p) => exclusive('exclusiveMinimum', v, p),
    exclusiveMaximum: (_k, v, p) => exclusive('exclusiveMaximum', v, p),
    multipleOf: (key, value, p) => {
      if (check(ctx, typeof value === 'number' && value > 0, p, 'must be a number > 0')) schema[key] = value;
    },
    format: () => undefined, // storage width (i32, f64…): nothing to check on JSON numbers
  });
  if (flags.exclusiveMinimum && typeof schema.minimum === 'number') {
    schema.exclusiveMinimum = schema.minimum;
    delete schema.minimum;
  }
  if (flags.exclusiveMaximum && typeof schema.maximum === 'number') {
    schema.exclusiveMaximum = schema.maximum;
    delete schema.maximum;
  }
  return schema;
}

function enumFromQuality(
  node: PropertyNode,
  path: string,
  ctx: Ctx,
): { values?: unknown[]; pattern?: string } {
  const found: { values?: unknown[]; pattern?: string } = {};
  (node.quality ?? []).forEach((rule, k) => {
    const rulePath = `${path}/quality/${k}`;
    const args = isRecord(rule.arguments) ? rule.arguments : {};
    if (rule.rule === 'validValues' && Array.isArray(rule.validValues)) {
      found.values = rule.validValues; // ODCS v3.0.x library rule
    } else if (
      rule.metric === 'invalidValues' &&
      (rule.mustBe === 0 || rule.mustBe === undefined) &&
      !Object.keys(rule).some((key) => key.startsWith('must') && key !== 'mustBe')
    ) {
      // ODCS v3.1.0 library metric: no invalid value allowed
      if (Array.isArray(args.validValues)) found.values = args.validValues;
      if (typeof args.pattern === 'string') found.pattern = args.pattern;
    } else if (rule.type !== 'text') {
      ctx.warnings.push(`${rulePath}: quality rule not enforced by Renkei; ignored`);
    }
  });
  return found;
}

function buildPropertySchema(node: PropertyNode, path: string, ctx: Ctx, nullable: boolean): JsonSchema {
  const logicalType =
    node.logicalType?.toLowerCase() ??
    (node.properties ? 'object' : node.items !== undefined ? 'array' : undefined);
  const options = optionsOf(node, path, ctx);
  let schema: JsonSchema;
  switch (logicalType) {
    case 'string':
      schema = stringSchema(options, path, ctx);
      break;
    case 'date':
    case 'timestamp':
    case 'time':
      schema = dateSchema(logicalType, node, options, path, ctx);
      break;
    case 'number':
    case 'integer':
      schema = numberSchema(logicalType, options, path, ctx);
      break;
    case 'boolean':
      readOptions(options, path, ctx, {});
      schema = { type: 'boolean' };
      break;
    case 'object':
      schema = buildObjectSchema(node.properties ?? [], `${path}/properties`, ctx, options, path);
      break;
    case 'array': {
      schema = { type: 'array' };
      if (node.items !== undefined) {
        const item = parseNode(node.items, `${path}/items`, ctx, false);
        if (item) schema.items = buildPropertySchema(item, `${path}/items`, ctx, false);
      }
      readOptions(options, path, ctx, {
        minItems: countOption(schema, ctx),
        maxItems: countOption(schema, ctx),
        uniqueItems: (key, value, p) => {
          if (check(ctx, typeof value === 'boolean', p, 'must be a boolean')) schema[key] = value;
        },
      });
      break;
    }
    case undefined:
      ctx.warnings.push(`${path}: no logicalType; any JSON value is accepted`);
      schema = {};
      break;
    default:
      ctx.issues.push({
        code: OdcsErrorCodes.unknownLogicalType,
        path: `${path}/logicalType`,
        message: `'${node.logicalType}' is not an ODCS v3 logicalType (string, date, timestamp, time, number, integer, object, array, boolean)`,
      });
      return {};
  }
  const { values, pattern } = enumFromQuality(node, path, ctx);
  if (pattern !== undefined && schema.pattern === undefined) schema.pattern = pattern;
  if (values) schema.enum = nullable && !values.includes(null) ? [...values, null] : values;
  if (nullable && typeof schema.type === 'string') schema.type = [schema.type, 'null'];
  if (node.businessName !== undefined) schema.title = node.businessName;
  if (node.description !== undefined) schema.description = node.description;
  if (node.examples !== undefined) schema.examples = node.examples;
  return schema;
}

/** Undoes the "not required, so nullable" reading for a property an object's options list as required. */
function nonNullable(schema: JsonSchema) {
  if (Array.isArray(schema.type)) schema.type = schema.type.filter((t) => t !== 'null')[0];
  if (Array.isArray(schema.enum)) schema.enum = schema.enum.filter((v) => v !== null);
}

export function buildObjectSchema(
  rawProperties: unknown[],
  propertiesPath: string,
  ctx: Ctx,
  options: Record<string, unknown> = {},
  path?: string,
): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  rawProperties.forEach((raw, i) => {
    const nodePath = `${propertiesPath}/${i}`;
    const node = parseNode(raw, nodePath, ctx, true);
    if (!node?.name) return;
    if (Object.hasOwn(properties, node.name)) {
      check(ctx, false, `${nodePath}/name`, `'${node.name}' is defined twice`);
      return;
    }
    const isRequired = node.required === true;
    properties[node.name] = buildPropertySchema(node, nodePath, ctx, !isRequired);
    if (isRequired) required.push(node.name);
  });
  const schema: JsonSchema = { type: 'object' };
  if (path !== undefined) {
    readOptions(options, path, ctx, {
      minProperties: countOption(schema, ctx),
      maxProperties: countOption(schema, ctx),
      required: (_k, value, p) => {
        if (!check(ctx, Array.isArray(value), p, 'must be a list of property names')) return;
        (value as unknown[]).forEach((name, j) => {
          const known = typeof name === 'string' && Object.hasOwn(properties, name);
          if (!check(ctx, known, `${p}/${j}`, 'names no property of this object')) return;
          if (!required.includes(name as string)) required.push(name as string);
          const property = properties[name as string];
          if (property) nonNullable(property);
        });
      },
    });
  }
  if (required.length > 0) schema.required = required;
  schema.properties = properties;
  schema.additionalProperties = false;
  return schema;
}
