import { DomainError, type ErrorKind } from '#libs/domain';
import { RenkeiError } from '#libs/sdk';

const kinds: Record<number, ErrorKind> = {
  400: 'bad-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  422: 'unprocessable',
};

/**
 * The service acts as a participant on the other services; when one of them refuses (e.g. clearing's
 * policy), the caller gets that answer — status, stable code, failing paths and hint — not a 500.
 */
export async function upstream<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof RenkeiError) {
      const problem = error.problem as { errors?: { path: string; message: string }[]; hint?: string };
      throw new DomainError(error.code, kinds[error.status] ?? 'unavailable', error.detail, {
        details: problem.errors ?? [],
        ...(problem.hint ? { hint: problem.hint } : {}),
        cause: error,
      });
    }
    throw error;
  }
}
