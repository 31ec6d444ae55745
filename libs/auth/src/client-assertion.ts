import { createLocalJWKSet, errors, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { unauthenticated, type Clock } from '@renkei/domain';
import { refuseCriticalHeaders } from './critical-headers.js';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const ASSERTION_ALGS = ['ES256', 'EdDSA', 'PS256', 'RS256'];
const MAX_ASSERTION_LIFETIME_S = 300;

/**
 * RFC 7523 private_key_jwt: the participant signs an assertion with its own key; iss = sub = its id,
 * aud = the token endpoint, a jti that has never been seen, and a short lifetime.
 * Replay protection (jti single-use) is the caller's, against durable storage.
 */
export async function verifyClientAssertion(
  assertion: string,
  participantId: string,
  jwks: { keys: JWK[] },
  audiences: string[],
  clock: Clock,
): Promise<Required<Pick<JWTPayload, 'jti' | 'exp'>>> {
  refuseCriticalHeaders(assertion, 'AUTH.ASSERTION_CRIT_UNSUPPORTED', 'client assertion');
  try {
    const { payload } = await jwtVerify(assertion, createLocalJWKSet(jwks), {
      issuer: participantId,
      subject: participantId,
      audience: audiences,
      algorithms: ASSERTION_ALGS,
      requiredClaims: ['jti', 'exp', 'iat'],
      currentDate: clock.now(),
      clockTolerance: 5,
      maxTokenAge: MAX_ASSERTION_LIFETIME_S,
    });
    if (payload.exp! - payload.iat! > MAX_ASSERTION_LIFETIME_S) {
      throw unauthenticated(
        'AUTH.ASSERTION_TOO_LONG',
        `Client assertions may live at most ${MAX_ASSERTION_LIFETIME_S} s`,
      );
    }
    return { jti: payload.jti!, exp: payload.exp! };
  } catch (error) {
    if (error instanceof errors.JOSEError) {
      throw unauthenticated(
        'AUTH.INVALID_CLIENT_ASSERTION',
        `The client assertion was rejected: ${error.code}`,
        'Sign a fresh assertion (iss = sub = your participant id, aud = the token endpoint, unique jti, exp ≤ 5 min) with the key registered for you',
      );
    }
    throw error;
  }
}
