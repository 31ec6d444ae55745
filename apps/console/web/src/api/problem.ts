/** A refusal from a Renkei service (RFC 9457 problem+json with a stable code), as the console shows it. */
export interface ProblemDetail {
  /** JSON Pointer to the failing part of the input. */
  path: string;
  message: string;
}

export interface Explanation {
  code: string;
  message: string;
  params?: Record<string, unknown>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The stable code (docs/errors.md), or `HTTP.<status>`. */
    readonly code: string,
    readonly detail: string,
    readonly extras: {
      title?: string;
      hint?: string;
      errors?: ProblemDetail[];
      /** The policy rule that decided (refusals that come from a policy decision). */
      rule?: string;
      /** Why, in words built from the decision's input. */
      explanation?: string;
      explanations?: Explanation[];
      /** Seconds to wait (503, 429). */
      retryAfter?: number;
    } = {},
  ) {
    super(`${status} ${code}: ${detail}`);
    this.name = 'ApiError';
  }
}

/** No answer at all: the console's server or the service cannot be reached. */
export class UnreachableError extends Error {
  constructor(cause: unknown) {
    super('The service cannot be reached', { cause });
    this.name = 'UnreachableError';
  }
}

/** Reads an error answer into an ApiError (problem+json, or whatever the body is). */
export async function readProblem(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: keep the text as the detail
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const retry = Number(res.headers.get('retry-after'));
  return new ApiError(
    res.status,
    str(body.code) ?? `HTTP.${res.status}`,
    str(body.detail) ?? str(body.title) ?? (text.slice(0, 300) || res.statusText),
    {
      title: str(body.title),
      hint: str(body.hint),
      errors: Array.isArray(body.errors) ? (body.errors as ProblemDetail[]) : undefined,
      rule: str(body.rule),
      explanation: str(body.explanation),
      explanations: Array.isArray(body.explanations) ? (body.explanations as Explanation[]) : undefined,
      retryAfter: Number.isFinite(retry) && retry > 0 ? retry : undefined,
    },
  );
}
