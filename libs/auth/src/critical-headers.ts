import { decodeProtectedHeader } from 'jose';
import { unauthenticated, type CodeOfKind } from '@renkei/domain';

/**
 * RFC 7515 §4.1.11: a recipient must refuse a JWS whose `crit` header names an extension it does not
 * understand. The platform understands none, so any `crit` (well-formed or not) is refused before the
 * signature is checked — with its own code, so a client learns that the extension, not the algorithm or
 * the key, is the problem (jose alone reports it as "not supported", which read as a wrong algorithm).
 */
export function refuseCriticalHeaders(jws: string, code: CodeOfKind<'unauthenticated'>, what: string): void {
  let crit: unknown;
  try {
    crit = decodeProtectedHeader(jws).crit;
  } catch {
    return; // not a JWS at all: the verifier that follows says so with its own code
  }
  if (crit === undefined) return;
  const names = Array.isArray(crit)
    ? crit.filter((c) => typeof c === 'string').join(', ')
    : JSON.stringify(crit);
  throw unauthenticated(
    code,
    `The ${what} marks header extensions as critical (crit: ${names || 'empty'}); the platform supports none`,
    `Sign the ${what} without a 'crit' header`,
  );
}
