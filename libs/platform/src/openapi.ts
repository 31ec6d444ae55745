/**
 * Every response in the OpenAPI documents, generated from the zod schemas that validate requests and shape
 * responses, so a client (or a fuzzer) can check what it gets:
 *
 * - `@Responds(status, schema, …)` documents a success response with its body schema (zod, or a plain JSON
 *   Schema for text media types such as YAML, CSV or SVG);
 * - `@Problems({ 404: ['CONTRACT.NOT_FOUND'], … })` documents the refusals an operation answers, each as
 *   `application/problem+json` with the shared `Problem` schema and its stable codes (`x-error-codes`);
 * - `completeDocument` adds what every operation can answer whatever its handler does, from facts in the
 *   document itself: 401/403 where a bearer token is required, 400 where there are parameters or a body,
 *   404 where a path names a resource, and the edge's refusals on every operation (413, 414, 415, 429,
 *   503). It then gives every error response the `Problem` schema.
 *
 * `openapi.spec.ts` walks the generated documents and fails when an operation lacks any of this.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiExtension, ApiResponse, type OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** RFC 9457 problem details as every Renkei service answers them (ProblemFilter). */
export const ProblemSchema = z
  .object({
    type: z.string().describe('urn:renkei:error:<code>'),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    code: z.string().describe('The stable, dotted error code, e.g. CONTRACT.NOT_FOUND'),
    detail: z.string(),
    rule: z
      .string()
      .optional()
      .describe(
        'A refusal by a policy decision (403): the rule that decided, its first reason, e.g. PURPOSE.NOT_ALLOWED (grammar <DOMAIN>.<CONDITION>)',
      ),
    explanation: z
      .string()
      .optional()
      .describe(
        "A refusal by a policy decision: the rule's explanation in English, e.g. purpose 'marketing' is not among the contract's purposes cfp-disclosure, due-diligence",
      ),
    explanations: z
      .array(
        z.object({
          code: z.string().describe('The reason code'),
          message: z.string().describe('An English sentence built from the decision input'),
          params: z
            .record(z.string(), z.unknown())
            .describe('The values the sentence names, to say it in another language from code and params'),
        }),
      )
      .optional()
      .describe(
        'A refusal by a policy decision: one explanation per reason, in the order of the sorted reasons (the first is the rule)',
      ),
    errors: z
      .array(
        z
          .object({
            path: z.string().describe('JSON Pointer (RFC 6901) to the failing part of the input'),
            message: z.string(),
          })
          .catchall(z.unknown())
          .describe('Some errors add machine-readable members, e.g. a schema break’s kind and field'),
      )
      .optional(),
    hint: z.string().optional().describe('What to do next'),
    instance: z.string().describe('The request path'),
  })
  .catchall(z.unknown());

/** Statuses the edge can answer on any operation, before or around its handler. */
export const EDGE_PROBLEMS: Record<number, string[]> = {
  413: ['REQUEST.TOO_LARGE'],
  414: ['REQUEST.URI_TOO_LONG'],
  415: ['REQUEST.UNSUPPORTED_MEDIA_TYPE'],
  429: ['RATE_LIMIT.EXCEEDED'],
  // A dependency (PostgreSQL, Kafka) away, or a handler over its time budget (ProblemFilter, edge).
  503: ['DEPENDENCY.UNAVAILABLE', 'REQUEST.HANDLER_TIMEOUT'],
};

const AUTH_PROBLEMS: Record<number, string[]> = {
  401: [
    'TOKEN.MISSING',
    'TOKEN.MALFORMED',
    'TOKEN.INVALID_SIGNATURE',
    'TOKEN.EXPIRED',
    'TOKEN.WRONG_ISSUER',
    'TOKEN.WRONG_AUDIENCE',
    'TOKEN.INVALID_CLAIMS',
    'TOKEN.ALG_NOT_ALLOWED',
  ],
  403: ['TOKEN.INSUFFICIENT_SCOPE'],
};
const INPUT_PROBLEMS: Record<number, string[]> = {
  400: ['REQUEST.INVALID', 'REQUEST.INVALID_ID', 'REQUEST.MALFORMED_JSON', 'REQUEST.MALFORMED_URL'],
};

const reasons: Record<number, string> = {
  400: 'The request is not valid: `errors` names each failing path',
  401: 'No valid bearer token',
  403: 'Not allowed: missing scope, not the owner or party, or refused by policy',
  404: 'No such resource, or not visible to you (the same answer)',
  409: 'Conflicts with the current state',
  413: 'The request body is too large',
  414: 'The URL (or a path segment) is too long',
  415: 'Unsupported content type',
  422: 'Well-formed but cannot be processed',
  429: 'Too many requests: retry after `Retry-After` seconds',
  503: 'A dependency is unavailable: retry after `Retry-After` seconds',
};

/** The JSON Schema (OpenAPI 3.0 dialect) of a zod schema, for a request (`input`) or a response (`output`). */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    unrepresentable: 'any',
    // Responses may grow members without breaking clients; requests strip unknown members.
    override: (ctx) => {
      if (io === 'output' && ctx.jsonSchema.additionalProperties === false) {
        delete ctx.jsonSchema.additionalProperties;
      }
    },
  }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

export interface RespondsOptions {
  description: string;
  example?: unknown;
  /** Named examples (OpenAPI `examples`), instead of one `example`. */
  examples?: Record<string, { summary: string; value: unknown }>;
  /** Default application/json. */
  mediaType?: string;
  /** Further media types the same response may come as, each with its own schema (e.g. ?format=json). */
  alternatives?: Record<string, z.ZodType | Record<string, unknown>>;
}

const schemaFor = (schema: z.ZodType | Record<string, unknown>) =>
  schema instanceof z.ZodType ? jsonSchemaOf(schema, 'output') : schema;

/** Documents a success response with the schema its body follows. */
export function Responds(
  status: number,
  schema: z.ZodType | Record<string, unknown>,
  options: RespondsOptions,
) {
  const mediaType = options.mediaType ?? 'application/json';
  const content: Record<string, Record<string, unknown>> = {
    [mediaType]: {
      schema: schemaFor(schema),
      ...(options.example !== undefined ? { example: options.example } : {}),
      ...(options.examples ? { examples: options.examples } : {}),
    },
  };
  for (const [type, alternative] of Object.entries(options.alternatives ?? {})) {
    content[type] = { schema: schemaFor(alternative) };
  }
  return ApiResponse({ status, description: options.description, content });
}

/**
 * Documents the refusals an operation answers and their stable codes. Each status gets the Problem schema
 * (in `completeDocument`); the codes are listed in the response description and in `x-error-codes`.
 * Apply once per operation; examples given with ApiExample for the same status are kept.
 */
export function Problems(codes: Record<number, string[]>) {
  const decorators = Object.entries(codes).map(([status, list]) =>
    ApiResponse({ status: Number(status), description: describeCodes(Number(status), list) }),
  );
  return applyDecorators(...decorators, ApiExtension('x-error-codes', codes));
}

function describeCodes(status: number, codes: string[]): string {
  const reason = reasons[status] ?? 'Refused';
  return codes.length > 0 ? `${reason}: ${codes.map((c) => `\`${c}\``).join(', ')}` : reason;
}

type Operation = {
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  security?: unknown[];
  responses: Record<string, { description?: string; content?: Record<string, Record<string, unknown>> }>;
  'x-error-codes'?: Record<string, string[]>;
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** Each operation of a document, with its method and path. */
export function operationsOf(document: OpenAPIObject): { method: string; path: string; op: Operation }[] {
  const out: { method: string; path: string; op: Operation }[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, unknown>)[method] as Operation | undefined;
      if (op) out.push({ method, path, op });
    }
  }
  return out;
}

/**
 * Adds the refusals every operation can get from facts in the document, the shared Problem schema, and
 * `x-error-codes` for each error status. Idempotent.
 */
export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas = {
    ...document.components.schemas,
    Problem: jsonSchemaOf(ProblemSchema, 'output') as never,
  };
  for (const { op } of operationsOf(document)) {
    const codes: Record<string, string[]> = { ...op['x-error-codes'] };
    const add = (more: Record<number, string[]>) => {
      for (const [status, list] of Object.entries(more)) {
        codes[status] = [...new Set([...(codes[status] ?? []), ...list])];
      }
    };
    if (op.security && op.security.length > 0) add(AUTH_PROBLEMS);
    const params = op.parameters ?? [];
    if (params.length > 0 || op.requestBody) add(INPUT_PROBLEMS);
    if (params.some((p) => p.in === 'path')) add({ 404: ['HTTP.NOT_FOUND'] });
    add(EDGE_PROBLEMS);
    // Error responses documented with ApiExample alone: their example names the code.
    for (const [status, response] of Object.entries(op.responses)) {
      if (Number(status) < 400) continue;
      const example = Object.values(response.content ?? {})[0]?.example as { code?: unknown } | undefined;
      add({ [status]: typeof example?.code === 'string' ? [example.code] : [] });
    }
    for (const status of Object.keys(codes)) {
      const response = (op.responses[status] ??= {
        description: describeCodes(Number(status), codes[status]!),
      });
      if (!response.description) response.description = describeCodes(Number(status), codes[status]!);
      // Keep a documented example, whatever media type it was given under.
      const examples = Object.values(response.content ?? {})[0] ?? {};
      response.content = {
        [PROBLEM_MEDIA_TYPE]: {
          ...(examples.example !== undefined ? { example: examples.example } : {}),
          ...(examples.examples !== undefined ? { examples: examples.examples } : {}),
          schema: { $ref: '#/components/schemas/Problem' },
        },
      };
    }
    op['x-error-codes'] = Object.fromEntries(Object.entries(codes).sort(([a], [b]) => Number(a) - Number(b)));
  }
  return document;
}
