import { applyDecorators, type PipeTransform } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';
import { badRequest, pointer } from '#libs/domain';

/** JSON Pointer (RFC 6901) for a zod issue path, so errors name the failing part exactly (now in libs/domain). */
export { pointer };

export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  code = 'REQUEST.INVALID',
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
  return result.data;
}

/** Validates a body or query with a zod schema; errors are 400 with a JSON Pointer per failing field. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform {
  constructor(private readonly schema: S) {}
  transform(value: unknown): z.infer<S> {
    return parseOrThrow(this.schema, value ?? {});
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

/** Documents a zod-validated body in the OpenAPI document, with an example. */
export function ApiZodBody(schema: z.ZodType, example?: unknown) {
  return applyDecorators(ApiBody({ schema: { ...openApiSchema(schema), ...(example ? { example } : {}) } }));
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

/** Documents a response with an example body (and, for errors, the problem+json media type). */
export function ApiExample(status: number, description: string, example: unknown, mediaType?: string) {
  const type = mediaType ?? (status >= 400 ? 'application/problem+json' : 'application/json');
  return applyDecorators(ApiResponse({ status, description, content: { [type]: { example } } }));
}
