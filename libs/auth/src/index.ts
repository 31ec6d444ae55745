export {
  generatePrivateJwk,
  loadSigningKeys,
  parseSigningKeys,
  PLATFORM_ALG,
  publicPart,
  type SigningKey,
  toSigningKey,
} from './signing-keys.js';
export {
  KeyRing,
  type KeyTimes,
  type KeyTransition,
  nextChangeDue,
  planRequestedRotation,
  planRotation,
  retirementDue,
  type RingKey,
  type RotationPolicy,
  SIGNING_KEY_STATES,
  type SigningKeyState,
} from './key-ring.js';
export {
  type AccessClaims,
  type IssueRequest,
  type Principal,
  requireScope,
  TokenIssuer,
  TokenVerifier,
} from './tokens.js';
export { CLIENT_ASSERTION_TYPE, verifyClientAssertion } from './client-assertion.js';
export { Authenticated, AuthGuard, CurrentPrincipal, TOKEN_VERIFIER } from './auth.guard.js';
