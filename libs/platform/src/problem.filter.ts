import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DomainError, type ErrorDetail, type ErrorKind, type PolicyExplanation } from '@renkei/domain';
import { STATUS_OF_KIND, type ProblemCode } from '@renkei/domain';
import { noteRefusal } from './refusal-audit.js';
import { edgeProblemOf } from './edge/framework-errors.js';
import { isDependencyFailure } from './resilience/dependency-errors.js';

// The catalogue's table (libs/domain error-codes.ts), so a code's documented status is the one answered.
const statusOf: Record<ErrorKind, number> = STATUS_OF_KIND;

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  /** A refusal by a policy decision: the rule that decided (its first reason). */
  rule?: string;
  /** A refusal by a policy decision: the rule's explanation, in English. */
  explanation?: string;
  /** A refusal by a policy decision: one explanation per reason (code, message, params). */
  explanations?: PolicyExplanation[];
  errors?: ErrorDetail[];
  hint?: string;
  instance: string;
}

/** Maps every error to RFC 9457 problem+json with a stable `code`; unexpected errors never leak internals. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const problem = problemOf(error, request.url);
    noteRefusal(request, problem.code, error);
    if (problem.status >= 500) this.logger.error({ err: error, url: request.url }, 'request failed');
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    if (problem.status === 401) void reply.header('www-authenticate', 'Bearer');
    if (problem.status === 503) void reply.header('retry-after', '5');
    // The rate limiter sets its own Retry-After (the window's remaining seconds); a relayed 429 gets one too.
    if (problem.status === 429 && !reply.hasHeader('retry-after')) void reply.header('retry-after', '5');
    void reply.status(problem.status).header('content-type', 'application/problem+json').send(problem);
  }
}

/**
 * The problem+json an error is answered with (also used by filters that answer in another envelope, such as
 * the Dataspace Protocol's error messages, so both carry the same stable code and status).
 */
export function problemOf(error: unknown, instance: string): Problem {
  if (error instanceof DomainError) {
    return {
      type: `urn:renkei:error:${error.code}`,
      title: error.code,
      status: statusOf[error.kind],
      code: error.code,
      detail: error.message,
      ...(error.policy
        ? {
            rule: error.policy.rule,
            explanation: error.policy.explanations[0]?.message ?? error.policy.rule,
            explanations: error.policy.explanations,
          }
        : {}),
      ...(error.details.length > 0 ? { errors: error.details } : {}),
      ...(error.hint ? { hint: error.hint } : {}),
      instance,
    };
  }
  // Refusals of the HTTP edge itself (body limit, media type, URL, handler time budget): one stable code each.
  const edge = edgeProblemOf(error);
  if (edge) return simple(edge.status, edge.code, edge.detail, instance, edge.hint);
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code: ProblemCode = status === 404 ? 'HTTP.NOT_FOUND' : `HTTP.${status}`;
    return simple(status, code, error.message, instance);
  }
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return simple(status, `HTTP.${status}`, (error as Error).message, instance);
  }
  // Kafka or PostgreSQL away (or past its deadline) is a 503 to retry, not a server bug.
  if (isDependencyFailure(error)) {
    return simple(
      503,
      'DEPENDENCY.UNAVAILABLE',
      'A service this request needs (database or event bus) is unavailable; nothing is confirmed',
      instance,
      'Retry after the Retry-After delay; requests are safe to repeat',
    );
  }
  return simple(
    500,
    'INTERNAL',
    'Unexpected error; it has been logged',
    instance,
    'Retry later; if it persists, report the time and path to the consortium admin',
  );
}

function simple(status: number, code: ProblemCode, detail: string, instance: string, hint?: string): Problem {
  return {
    type: `urn:renkei:error:${code}`,
    title: code,
    status,
    code,
    detail,
    ...(hint ? { hint } : {}),
    instance,
  };
}
