import { applyDecorators, type PipeTransform } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';
import { badRequest, DATASET_ID_MAX, DATASET_ID_PATTERN, DatasetId, isSemver, pointer } from '@renkei/domain';
import type { CodeOfKind } from '@renkei/domain';

/** JSON Pointer (RFC 6901) for a zod issue path, so errors name the failing part exactly (now in libs/domain). */
export { pointer };

export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  code: CodeOfKind<'bad-request'> = 'REQUEST.INVALID',
): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw badRequest(
      code,
      'The request is not valid',
      result.error.issues.map((i) => ({ path: pointer(i.path), message: i.message })),
      'Fix the fields listed in `errors` and send the request again',
    );
  }
  const nul = nulPaths(result.data, []);
  if (nul.length > 0) {
    throw badRequest(
      code,
      'The request is not valid',
      nul.map((path) => ({ path: pointer(path), message: 'must not contain a NUL character (\\u0000)' })),
      'Remove the NUL characters from the fields listed in `errors`',
    );
  }
  return result.data;
}

/**
 * Where a validated input carries a NUL character (in a string or a key): PostgreSQL cannot store one, so
 * it is a 400 naming the field here rather than a 500 from the database.
 */
function nulPaths(value: unknown, at: (string | number)[]): (string | number)[][] {
  if (typeof value === 'string') return value.includes('\u0000') ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulPaths(v, [...at, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      k.includes('\u0000') ? [[...at, k]] : nulPaths(v, [...at, k]),
    );
  }
  return [];
}

/**
 * Validates a body or query with a zod schema; errors are 400 with a JSON Pointer per failing field.
 * A missing body is read as `{}` (so it passes only where every member is optional, which is what the
 * document says: `ApiZodBody` marks such a body not required); a `null` body is refused like any other
 * non-object.
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform {
  constructor(private readonly schema: S) {}
  transform(value: unknown): z.infer<S> {
    return parseOrThrow(this.schema, value === undefined ? {} : value);
  }
}

export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

/**
 * Documents a zod-validated body in the OpenAPI document, with an example. The body is required unless
 * `{}` is valid (ZodPipe reads a missing body as `{}`).
 */
export function ApiZodBody(schema: z.ZodType, example?: unknown) {
  return applyDecorators(
    ApiBody({
      required: !schema.safeParse({}).success,
      schema: { ...openApiSchema(schema), ...(example ? { example } : {}) },
    }),
  );
}

/** Documents the properties of a zod object schema as query parameters. */
export function ApiZodQuery(schema: z.ZodObject) {
  const decorators = Object.entries(schema.shape).map(([name, field]) =>
    ApiQuery({
      name,
      required: !(field as z.ZodType).safeParse(undefined).success,
      schema: openApiSchema(field as z.ZodType),
    }),
  );
  return applyDecorators(...decorators);
}

const uuid = z.uuid();

/** Path ids are UUIDs; anything else is a 400 naming the parameter (never a 500 from the database). */
export class UuidPipe implements PipeTransform {
  constructor(private readonly name = 'id') {}
  transform(value: unknown): string {
    if (!uuid.safeParse(value).success) {
      throw badRequest('REQUEST.INVALID_ID', `'${this.name}' must be a UUID`, [
        { path: `/${this.name}`, message: 'must be a UUID' },
      ]);
    }
    return value as string;
  }
}

/**
 * Checks a path parameter against its identifier grammar (libs/domain ids.ts): the same rule that
 * registration applies, so no endpoint refuses an id that registration accepted.
 */
export class IdPipe implements PipeTransform {
  constructor(
    private readonly schema: z.ZodType<string>,
    private readonly name: string,
  ) {}
  transform(value: unknown): string {
    const parsed = this.schema.safeParse(value);
    if (!parsed.success) {
      const message = parsed.error.issues[0]?.message ?? 'not a valid identifier';
      throw badRequest('REQUEST.INVALID_ID', `'${this.name}' is not a valid identifier: ${message}`, [
        { path: `/${this.name}`, message },
      ]);
    }
    return parsed.data;
  }
}

/** How a dataset path parameter is documented: exactly what DatasetPipe accepts. */
export const DATASET_PARAM_SCHEMA = {
  type: 'string',
  pattern: DATASET_ID_PATTERN.source,
  maxLength: DATASET_ID_MAX,
} as const;

/** How a version path parameter is documented: semver.org's grammar without build metadata (VersionPipe). */
export const VERSION_PARAM_SCHEMA = {
  type: 'string',
  maxLength: 256,
  pattern:
    '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$',
} as const;

/**
 * Path segments that name a dataset follow the dataset id grammar; anything else is a 400 naming the
 * parameter, never a lookup (a NUL byte or a 10 kB segment must not reach the database).
 */
export class DatasetPipe extends IdPipe {
  constructor(name = 'dataset') {
    // The grammar's own message (e.g. its length limit), the same one registration gives.
    super(DatasetId, name);
  }
}

/** Path segments that name a contract version are semantic versions (as stored); else a 400. */
export class VersionPipe implements PipeTransform {
  transform(value: unknown): string {
    if (typeof value !== 'string' || value.length > 256 || !isSemver(value)) {
      throw badRequest('REQUEST.INVALID_ID', "'version' must be a semantic version", [
        { path: '/version', message: 'must be a semantic version, e.g. 1.1.0' },
      ]);
    }
    return value;
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A free-text path segment (e.g. a person's reference): 1 to `max` characters, no control characters. */
export class TextParamPipe implements PipeTransform {
  constructor(
    private readonly name: string,
    private readonly max = 200,
  ) {}
  transform(value: unknown): string {
    if (typeof value !== 'string' || value.length === 0 || value.length > this.max || CONTROL.test(value)) {
      throw badRequest('REQUEST.INVALID_ID', `'${this.name}' is not valid`, [
        { path: `/${this.name}`, message: `1 to ${this.max} characters, no control characters` },
      ]);
    }
    return value;
  }
}

/** How a TextParamPipe parameter is documented. */
export const textParamSchema = (max = 200) => ({
  type: 'string',
  minLength: 1,
  maxLength: max,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
});

/** Documents a response with an example body (and, for errors, the problem+json media type). */
export function ApiExample(status: number, description: string, example: unknown, mediaType?: string) {
  const type = mediaType ?? (status >= 400 ? 'application/problem+json' : 'application/json');
  return applyDecorators(ApiResponse({ status, description, content: { [type]: { example } } }));
}
