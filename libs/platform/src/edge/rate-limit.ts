import rateLimit from '@fastify/rate-limit';
import {
  Injectable,
  SetMetadata,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { DomainError } from '@renkei/domain';
import { rateLimitClasses, rateLimitOf, type EdgeSettings, type RateLimitClass } from './edge.config.js';

export const RATE_LIMITED = 'renkei:rate-limit';
export const RATE_LIMIT_EXCEEDED = 'RATE_LIMIT.EXCEEDED';

/**
 * Marks an expensive endpoint: each participant (each client address before login) may call the endpoints
 * of this class at most RATE_LIMIT_<CLASS> times per window, then gets 429 RATE_LIMIT.EXCEEDED with
 * Retry-After. The classes and their defaults are in edge.config.ts and docs/security/edge.md.
 */
export const RateLimited = (kind: RateLimitClass) => SetMetadata(RATE_LIMITED, kind);

/** The rate-limit class of a route handler, if any (the OpenAPI generator documents its 429 from it). */
export function rateLimitClassOf(handler: object): RateLimitClass | undefined {
  return Reflect.getMetadata(RATE_LIMITED, handler) as RateLimitClass | undefined;
}

type Limiter = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * Counts after authentication, so the key is the participant the token proves, never a claim an attacker
 * can forge: a Nest interceptor (interceptors run after guards) calls @fastify/rate-limit's limiter for
 * the route's class. A request refused by the guard is not counted here: it never reached the expensive
 * part. The limiter's refusal is a DomainError, so the ProblemFilter answers it (and whatever hooks the
 * filter, such as the audit of security refusals, sees it).
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly limiters: ReadonlyMap<RateLimitClass, Limiter>,
    private readonly reflector = new Reflector(),
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() === 'http') {
      const kind = this.reflector.get<RateLimitClass | undefined>(RATE_LIMITED, context.getHandler());
      const limiter = kind ? this.limiters.get(kind) : undefined;
      if (limiter) {
        const http = context.switchToHttp();
        await limiter(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
      }
    }
    return next.handle();
  }
}

/** Registers @fastify/rate-limit (no global limit) and builds one limiter per class that is switched on. */
export async function createRateLimiters(
  fastify: FastifyInstance,
  settings: EdgeSettings,
): Promise<Map<RateLimitClass, Limiter>> {
  await fastify.register(rateLimit, { global: false });
  const limiters = new Map<RateLimitClass, Limiter>();
  for (const kind of rateLimitClasses) {
    const limit = rateLimitOf(settings, kind);
    if (!limit) continue;
    const handler = fastify.rateLimit({
      max: limit.max,
      timeWindow: limit.windowMs,
      keyGenerator: (request) => {
        const participant = (request as { principal?: { participantId?: string } }).principal?.participantId;
        return participant ? `${kind}:participant:${participant}` : `${kind}:ip:${request.ip}`;
      },
      errorResponseBuilder: (_request, context) =>
        new DomainError(
          RATE_LIMIT_EXCEEDED,
          'too-many-requests',
          `Too many ${kind} requests: at most ${context.max} per ${Math.round(limit.windowMs / 1000)} s`,
          {
            hint: `Retry after ${context.after}; spread expensive calls out or ask the operator for a higher limit`,
          },
        ),
    });
    limiters.set(kind, (request, reply) => handler.call(fastify, request, reply) as Promise<void>);
  }
  return limiters;
}
