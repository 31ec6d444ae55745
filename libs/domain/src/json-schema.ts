import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import { badRequest, type ErrorDetail } from './errors.js';
import { linearRegExp } from './linear-regex.js';
import { assertSchemaWithinLimits, DEFAULT_SCHEMA_LIMITS, type SchemaLimits } from './schema-limits.js';

type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((ajvFormats as unknown as { default?: FormatsPlugin }).default ??
  ajvFormats) as unknown as FormatsPlugin;

/**
 * One Ajv instance per process: compiled validators are cached by the callers, keyed by contract version.
 * Patterns (`pattern`, `patternProperties`) run on RE2, never on the backtracking engine (linear-regex.ts).
 */
const ajv = addFormats(
  new Ajv2020({
    allErrors: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    code: { regExp: linearRegExp },
  }),
);

export type PayloadValidator = ValidateFunction;

/** JSON Pointer (RFC 6901) for a path of keys and indices, e.g. a zod issue path or `['fields', name]`. */
export function pointer(path: readonly PropertyKey[]): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function invalidSchema(path: string, error: unknown) {
  return badRequest(
    'CONTRACT.INVALID_SCHEMA',
    'The contract schema is not a valid JSON Schema 2020-12 document',
    [{ path, message: error instanceof Error ? error.message : String(error) }],
    'Check the schema with a JSON Schema 2020-12 validator; unknown keywords are refused (strict mode)',
  );
}

/** The schema Ajv compiles: a JSON Schema object without its `$id` (so no two contracts collide by id). */
function compilable(schema: unknown, path: string): Record<string, unknown> {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw badRequest('CONTRACT.INVALID_SCHEMA', 'The contract schema must be a JSON Schema object', [
      { path, message: 'must be an object' },
    ]);
  }
  const { $id: _id, ...rest } = schema as Record<string, unknown>;
  return rest;
}

/**
 * Compiles a contract's JSON Schema (2020-12); a schema that does not compile is a 400 naming why.
 * Ajv keeps every compiled schema for the life of the process: use this only where the validator is kept
 * and reused (cached by the caller per contract version). To merely check a schema, use
 * {@link assertCompilableSchema}.
 */
export function compileContractSchema(schema: unknown, path = '/schema'): PayloadValidator {
  const rest = compilable(schema, path);
  try {
    return ajv.compile(rest);
  } catch (error) {
    ajv.removeSchema(rest);
    throw invalidSchema(path, error);
  }
}

/**
 * Checks that a contract's JSON Schema is within the limits (schema-limits.ts: size, depth, counts, patterns
 * RE2 can run) and compiles (a 4xx naming why if not), without keeping the compiled validator: the
 * registry checks every submitted schema, and Ajv's cache would otherwise grow forever.
 */
export function assertCompilableSchema(
  schema: unknown,
  path = '/schema',
  limits: SchemaLimits = DEFAULT_SCHEMA_LIMITS,
): void {
  const rest = compilable(schema, path);
  assertSchemaWithinLimits(rest, path, limits);
  try {
    ajv.compile(rest);
  } catch (error) {
    throw invalidSchema(path, error);
  } finally {
    ajv.removeSchema(rest);
  }
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
      return `is missing required property '${String((error.params as { missingProperty: string }).missingProperty)}'`;
    case 'additionalProperties':
      return `has unknown property '${String((error.params as { additionalProperty: string }).additionalProperty)}'`;
    default:
      return error.message ?? 'is not valid';
  }
}

/** Validates a payload; returns one detail per failure with its JSON Pointer under `basePath`. */
export function validatePayload(
  validator: PayloadValidator,
  payload: unknown,
  basePath: string,
): ErrorDetail[] {
  if (validator(payload)) return [];
  return (validator.errors ?? []).map((e) => ({
    path: `${basePath}${e.instancePath}`,
    message: describe(e),
  }));
}
