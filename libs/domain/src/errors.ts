/**
 * Domain errors carry a stable code (e.g. `GRANT.NOT_ACTIVE`) and a kind. Transport edges map the kind to
 * an HTTP status or a dead-letter reason; domain code never imports HTTP exceptions.
 */
export type ErrorKind =
  | 'bad-request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'unprocessable'
  | 'too-large'
  | 'too-many-requests'
  | 'unavailable';

export interface ErrorDetail {
  /** JSON Pointer to the failing part of the input, e.g. `/events/3/payload/cfpKgCo2e`. */
  path: string;
  message: string;
  /** Machine-readable extras some errors add, e.g. a schema break's kind, payload field and versions. */
  [extra: string]: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    readonly options: { details?: ErrorDetail[]; hint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'DomainError';
  }

  get details(): ErrorDetail[] {
    return this.options.details ?? [];
  }

  get hint(): string | undefined {
    return this.options.hint;
  }
}

export const badRequest = (code: string, message: string, details?: ErrorDetail[], hint?: string) =>
  new DomainError(code, 'bad-request', message, { details, hint });
export const unauthenticated = (code: string, message: string, hint?: string) =>
  new DomainError(code, 'unauthenticated', message, { hint });
export const forbidden = (code: string, message: string, hint?: string) =>
  new DomainError(code, 'forbidden', message, { hint });
export const notFound = (code: string, message: string, hint?: string) =>
  new DomainError(code, 'not-found', message, { hint });
export const conflict = (code: string, message: string, hint?: string) =>
  new DomainError(code, 'conflict', message, { hint });
export const unavailable = (code: string, message: string, hint?: string, cause?: unknown) =>
  new DomainError(code, 'unavailable', message, { hint, cause });
