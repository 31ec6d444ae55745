import type { DomainError } from './errors.js';

/**
 * Security refusals (authentication failures, ownership and tenancy refusals, rate-limit hits) go on the
 * audit chain (ADR 0018). Most are recognised at the edge by their status (401, 403, 429). A 404 is
 * ambiguous: "no such grant" is not a security event, "someone else's grant" is, and both must look the
 * same to the caller. So the service that hides a thing marks its 404 as concealing one: the caller gets
 * exactly the same answer, the audit gets the refusal.
 */
const CONCEALED = Symbol.for('renkei.refusal.concealed');

/** What a concealed refusal was about (recorded for the compliance officer, never shown to the caller). */
export interface RefusalTarget {
  /** e.g. 'grant', 'dataset', 'deletion-obligation', 'participant' */
  type: string;
  id: string;
}

/** Marks a not-found error as hiding something that exists but belongs to someone else. */
export function concealing<E extends DomainError>(error: E, target: RefusalTarget): E {
  Object.defineProperty(error, CONCEALED, { value: target, enumerable: false });
  return error;
}

/** The target a not-found error conceals, if it conceals one. */
export function concealedTarget(error: unknown): RefusalTarget | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return (error as { [CONCEALED]?: RefusalTarget })[CONCEALED];
}

/**
 * `protocol`: a move the process's state machine does not allow (409 `*.ILLEGAL_TRANSITION`, from any
 * caller) and any refused Dataspace Protocol request (malformed message, unknown agreement or offer, missing
 * purpose): what a peer connector tried and was refused, probing included.
 */
export type RefusalCategory = 'authentication' | 'authorization' | 'ownership' | 'rate-limit' | 'protocol';

/**
 * One aggregated security refusal as it travels to clearing (topic `<prefix>.audit.refusals`) and lands on
 * the chain: the refusals of one (service, code, actor or client IP, route) in one window, with a count.
 * It never carries a token, an assertion or a body.
 */
export interface RefusalRecord {
  /** Unique per aggregate and window: deduplicates redelivery. */
  id: string;
  service: string;
  category: RefusalCategory;
  status: number;
  code: string;
  method: string;
  /** The route template (`/grants/:id/approve`), never the raw URL. */
  route: string;
  /** The authenticated participant, or null when authentication itself failed. */
  participant: string | null;
  /** What a refused token or client assertion claimed (unverified: anyone can write these). */
  claimed: { sub?: string; iss?: string; verified: false } | null;
  ip: string;
  traceId: string | null;
  /** What concealed 404s were about (at most a few distinct targets per aggregate). */
  targets: RefusalTarget[];
  count: number;
  firstAt: string;
  lastAt: string;
  /** Refusals folded into this record because the aggregator was full (see ADR 0018). */
  overflow?: boolean;
}

const ON_RECORD = Symbol.for('renkei.refusal.on-record');

/** Marks a refusal whose decision record is already on the chain (a policy deny): not recorded twice. */
export function onRecord<E extends Error>(error: E): E {
  Object.defineProperty(error, ON_RECORD, { value: true, enumerable: false });
  return error;
}

export function isOnRecord(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { [ON_RECORD]?: boolean })[ON_RECORD] === true
  );
}
