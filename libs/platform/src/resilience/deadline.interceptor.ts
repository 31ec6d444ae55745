import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Observable } from 'rxjs';
import { unavailable } from '@renkei/domain';
import type { Readiness } from './readiness.js';

/** First look at the dependencies this long into a request, then every `RECHECK_MS`: answers stay under 2 s. */
export const REQUEST_DEADLINE_MS = 1_000;
/** ...or this soon when a dependency was already down as the request arrived (the breaker is open). */
export const REQUEST_DEADLINE_WHILE_DOWN_MS = 300;
const RECHECK_MS = 100;

/**
 * Fail fast: a request still running `REQUEST_DEADLINE_MS` after it arrived, while a dependency is down, is
 * answered 503 with Retry-After at once instead of waiting for the database's or Kafka's own timeouts. A
 * request that is merely slow while everything is up (a big import, a long audit walk) runs to the end,
 * and a stream whose headers are out is left alone. The work behind an abandoned request is not undone:
 * a 503 means "not confirmed", and every write the platform offers is safe to retry.
 */
@Injectable()
export class DependencyDeadlineInterceptor implements NestInterceptor {
  constructor(
    private readonly readiness: Readiness,
    private readonly deadlineMs = REQUEST_DEADLINE_MS,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return new Observable((subscriber) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        if (settled || reply.raw.headersSent) return;
        const down = this.readiness.notUp();
        if (down.length > 0) {
          settled = true;
          subscription.unsubscribe();
          subscriber.error(
            unavailable(
              'DEPENDENCY.UNAVAILABLE',
              `A service this request may need is unavailable or still starting (${down.join(', ')}); nothing is confirmed`,
              'Retry after the Retry-After delay; requests are safe to repeat (publish with the same event ids)',
            ),
          );
          return;
        }
        timer = setTimeout(check, RECHECK_MS);
      };
      // Known down already: whatever needs it will not be served, so the first look comes early. A request
      // that does not need it (a token from memory, a health check) is usually done by then.
      timer = setTimeout(
        check,
        this.readiness.down().length > 0
          ? Math.min(this.deadlineMs, REQUEST_DEADLINE_WHILE_DOWN_MS)
          : this.deadlineMs,
      );
      const subscription = next.handle().subscribe({
        next: (value) => {
          if (!settled) subscriber.next(value);
        },
        error: (error: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          subscriber.error(error);
        },
        complete: () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          subscriber.complete();
        },
      });
      return () => {
        clearTimeout(timer);
        subscription.unsubscribe();
      };
    });
  }
}
