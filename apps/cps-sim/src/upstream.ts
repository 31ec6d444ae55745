import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { catchError, type Observable } from 'rxjs';
import { DomainError, unavailable, type ErrorKind } from '@renkei/domain';
import { relayedCode } from '@renkei/domain';
import { RenkeiError } from '@renkei/sdk';

const kinds: Record<number, ErrorKind> = {
  400: 'bad-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  413: 'too-large',
  422: 'unprocessable',
  429: 'too-many-requests',
};

/**
 * The service acts as a participant on the other services; when one of them refuses (e.g. clearing's
 * policy), the caller gets that answer — status, stable code, failing paths, hint, and for a policy
 * refusal its rule and explanations — not a 500. When
 * one cannot be reached at all, the caller gets 503 UPSTREAM.UNAVAILABLE. Anything else is left as is.
 */
export function fromUpstream(error: unknown): unknown {
  if (error instanceof RenkeiError) {
    const problem = error.problem as { errors?: { path: string; message: string }[]; hint?: string };
    return new DomainError(relayedCode(error.code), kinds[error.status] ?? 'unavailable', error.detail, {
      details: problem.errors ?? [],
      ...(problem.hint ? { hint: problem.hint } : {}),
      ...(error.rule ? { policy: { rule: error.rule, explanations: error.explanations } } : {}),
      cause: error,
    });
  }
  // undici's network failures (connection refused, reset, DNS): the other service is down.
  if (error instanceof TypeError && error.message === 'fetch failed') {
    return unavailable(
      'UPSTREAM.UNAVAILABLE',
      'A consortium service the CPS service depends on cannot be reached',
      'Retry shortly; if it persists, check the registry, clearing and exchange are up',
      error,
    );
  }
  return error;
}

/** Applies {@link fromUpstream} to every error of the controller's handlers: the one place SDK refusals are mapped. */
@Injectable()
export class UpstreamInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: unknown) => {
        throw fromUpstream(error);
      }),
    );
  }
}
