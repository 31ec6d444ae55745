import type { CodeOfKind, ErrorCode, STATUS_OF_KIND } from './error-codes.js';
import type { PolicyExplanation } from './explanation.js';

/**
 * Domain errors carry a stable code (e.g. `GRANT.NOT_ACTIVE`) and a kind. Transport edges map the kind to
 * an HTTP status or a dead-letter reason; domain code never imports HTTP exceptions.
 *
 * Codes come from the catalogue (error-codes.ts) and must match their kind: `forbidden` takes only codes
 * the catalogue answers with 403. `new DomainError(code, kind)` takes any catalogued code; a unit spec checks
 * that each one written out is raised with the kind of its status.
 */
export type ErrorKind = keyof typeof STATUS_OF_KIND;

export interface ErrorDetail {
  /** JSON Pointer to the failing part of the input, e.g. `/events/3/payload/cfpKgCo2e`. */
  path: string;
  message: string;
  /** Machine-readable extras some errors add, e.g. a schema break's kind, payload field and versions. */
  [extra: string]: string;
}

/** What a refusal that comes from a policy decision says about it (problem+json `rule`, `explanations`). */
export interface PolicyRefusal {
  /** The rule that decided (the deny's first reason). */
  rule: string;
  /** One per reason, the first one being the rule's. */
  explanations: PolicyExplanation[];
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly kind: ErrorKind,
    message: string,
    readonly options: {
      details?: ErrorDetail[];
      hint?: string;
      cause?: unknown;
      policy?: PolicyRefusal;
    } = {},
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

  /** Set when a policy decision refused: its rule and explanations. */
  get policy(): PolicyRefusal | undefined {
    return this.options.policy;
  }
}

export const badRequest = (
  code: CodeOfKind<'bad-request'>,
  message: string,
  details?: ErrorDetail[],
  hint?: string,
) => new DomainError(code, 'bad-request', message, { details, hint });
export const unauthenticated = (code: CodeOfKind<'unauthenticated'>, message: string, hint?: string) =>
  new DomainError(code, 'unauthenticated', message, { hint });
export const forbidden = (
  code: CodeOfKind<'forbidden'>,
  message: string,
  hint?: string,
  policy?: PolicyRefusal,
) => new DomainError(code, 'forbidden', message, { hint, ...(policy ? { policy } : {}) });
export const notFound = (code: CodeOfKind<'not-found'>, message: string, hint?: string) =>
  new DomainError(code, 'not-found', message, { hint });
export const conflict = (code: CodeOfKind<'conflict'>, message: string, hint?: string) =>
  new DomainError(code, 'conflict', message, { hint });
export const unavailable = (
  code: CodeOfKind<'unavailable'>,
  message: string,
  hint?: string,
  cause?: unknown,
) => new DomainError(code, 'unavailable', message, { hint, cause });
