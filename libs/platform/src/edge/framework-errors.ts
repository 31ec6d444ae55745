import type { ErrorCode } from '@renkei/domain';
/**
 * Fastify refuses some requests itself, before any route handler runs: bodies over the limit, unknown
 * content types, broken JSON, malformed URLs, over-long path parameters, handlers over their time budget.
 * Each becomes one stable problem here, so every service answers them alike (and in problem+json: a 414
 * used to come back in Fastify's own shape).
 */
export interface EdgeProblem {
  status: number;
  code: ErrorCode;
  detail: string;
  hint: string;
}

/** A refusal of the HTTP edge itself (URL length) that is not a domain rule. */
export class EdgeRefusal extends Error {
  constructor(readonly problem: EdgeProblem) {
    super(problem.detail);
    this.name = 'EdgeRefusal';
  }
}

export const edgeProblems = {
  malformedJson: {
    status: 400,
    code: 'REQUEST.MALFORMED_JSON',
    detail: 'The request body is not valid JSON',
    hint: 'Send a JSON document with content-type application/json',
  },
  invalidContentLength: {
    status: 400,
    code: 'REQUEST.INVALID_CONTENT_LENGTH',
    detail: 'The body is not as long as its Content-Length says',
    hint: 'Send exactly Content-Length bytes, or use chunked transfer encoding',
  },
  malformedUrl: {
    status: 400,
    code: 'REQUEST.MALFORMED_URL',
    detail: 'The URL is not valid percent-encoded UTF-8',
    hint: 'Percent-encode each path segment and query value as UTF-8',
  },
  tooLarge: {
    status: 413,
    code: 'REQUEST.TOO_LARGE',
    detail: 'The request body is too large',
    hint: 'Split the batch into smaller requests',
  },
  uriTooLong: {
    status: 414,
    code: 'REQUEST.URI_TOO_LONG',
    detail: 'The URL, or one of its path segments, is too long',
    hint: 'Ids are short; send long filters in a request body where the endpoint takes one',
  },
  unsupportedMediaType: {
    status: 415,
    code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    detail: 'Unsupported content type',
    hint: 'Use content-type application/json (or the type the endpoint documents)',
  },
  handlerTimeout: {
    status: 503,
    code: 'REQUEST.HANDLER_TIMEOUT',
    detail: 'The request took longer than the service allows and was abandoned',
    hint: 'Retry later; for large inputs, send smaller ones',
  },
} satisfies Record<string, EdgeProblem>;

const byFastifyCode: Record<string, EdgeProblem> = {
  FST_ERR_CTP_INVALID_JSON_BODY: edgeProblems.malformedJson,
  FST_ERR_CTP_EMPTY_JSON_BODY: edgeProblems.malformedJson,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: edgeProblems.invalidContentLength,
  FST_ERR_CTP_BODY_TOO_LARGE: edgeProblems.tooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: edgeProblems.unsupportedMediaType,
  FST_ERR_CTP_EMPTY_TYPE: edgeProblems.unsupportedMediaType,
  FST_ERR_CTP_INVALID_TYPE: edgeProblems.unsupportedMediaType,
  FST_ERR_BAD_URL: edgeProblems.malformedUrl,
  FST_ERR_MAX_PARAM_LENGTH: edgeProblems.uriTooLong,
  FST_ERR_HANDLER_TIMEOUT: edgeProblems.handlerTimeout,
};

/** The problem for an error the edge raised (Fastify's own, or an {@link EdgeRefusal}); else undefined. */
export function edgeProblemOf(error: unknown): EdgeProblem | undefined {
  if (error instanceof EdgeRefusal) return error.problem;
  if (error === null || typeof error !== 'object') return undefined;
  // Nest wraps Fastify's body errors in an HttpException whose cause carries Fastify's code.
  const code = (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' ? byFastifyCode[code] : undefined;
}
