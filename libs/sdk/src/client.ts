/**
 * The SDK's HTTP layer: the errors every call may throw, `send` (fetch with an unreachable service reported
 * as such) and `json` (a problem+json answer thrown as RenkeiError). RenkeiClient (renkei-client.ts) and its
 * areas (api/) are built on it.
 */
import type { ProblemCode } from '@renkei/domain';

/** Why a policy decision refused, one per reason (problem+json `explanations`). */
export interface RenkeiExplanation {
  /** The reason code, e.g. PURPOSE.NOT_ALLOWED. */
  code: string;
  /** An English sentence about this request. */
  message: string;
  /** The values the sentence names (to say it in another language from code and params). */
  params: Record<string, unknown>;
}

const isExplanation = (v: unknown): v is RenkeiExplanation =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as RenkeiExplanation).code === 'string' &&
  typeof (v as RenkeiExplanation).message === 'string';

/** An error answer from a Renkei service (RFC 9457 problem+json with a stable code). */
export class RenkeiError extends Error {
  /** The service's own explanation (problem+json `detail`). */
  readonly detail: string;
  /** A refusal by a policy decision: the rule that decided (its first reason), e.g. PURPOSE.NOT_ALLOWED. */
  readonly rule: string | undefined;
  /** A refusal by a policy decision: the rule's explanation, an English sentence about this request. */
  readonly explanation: string | undefined;
  /** A refusal by a policy decision: one explanation per reason (empty for other errors). */
  readonly explanations: RenkeiExplanation[];
  constructor(
    readonly status: number,
    /** A code of the catalogue (docs/errors.md), or `HTTP.<status>`; a newer service may send one this SDK lacks. */
    readonly code: ProblemCode,
    message: string,
    readonly problem: Record<string, unknown>,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'RenkeiError';
    this.detail = message;
    this.rule = typeof problem.rule === 'string' ? problem.rule : undefined;
    this.explanations = Array.isArray(problem.explanations) ? problem.explanations.filter(isExplanation) : [];
    this.explanation =
      typeof problem.explanation === 'string' ? problem.explanation : this.explanations[0]?.message;
  }
}

/**
 * A service could not be reached at all (refused, unknown host, reset, timeout): no HTTP answer came.
 * A TypeError, like the `fetch failed` it wraps (`cause`).
 */
export class RenkeiUnreachableError extends TypeError {
  constructor(
    readonly url: string,
    /** The system error code, e.g. ECONNREFUSED or ENOTFOUND (else fetch's reason, or `FETCH_FAILED`). */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot reach ${url} (${code})`, options);
    this.name = 'RenkeiUnreachableError';
  }
}

/** fetch, with a failure to connect reported as RenkeiUnreachableError (an aborted request rethrows as is). */
export async function send(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (init?.signal?.aborted || !(error instanceof TypeError)) throw error;
    const cause = (error as { cause?: { code?: unknown; message?: unknown; errors?: { code?: unknown }[] } })
      .cause;
    const code = cause?.code ?? cause?.errors?.find((e) => e.code)?.code ?? cause?.message;
    throw new RenkeiUnreachableError(new URL(url).origin, typeof code === 'string' ? code : 'FETCH_FAILED', {
      cause: error,
    });
  }
}

/** `?key=value&…` of the defined values, or nothing. */
export function queryString(query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(key, String(value));
  }
  return params.size > 0 ? `?${params.toString()}` : '';
}

/** The JSON body of a successful answer; an error answer is thrown as RenkeiError. */
export async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!response.ok) {
    const code = (typeof body.code === 'string' ? body.code : `HTTP.${response.status}`) as ProblemCode;
    const detail = typeof body.detail === 'string' ? body.detail : response.statusText;
    throw new RenkeiError(response.status, code, detail, body);
  }
  return body as T;
}
