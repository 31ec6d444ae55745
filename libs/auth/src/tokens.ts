import {
  SignJWT,
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { randomUUID } from 'node:crypto';
import { forbidden, unauthenticated, type Clock } from '@renkei/domain';
import { refuseCriticalHeaders } from './critical-headers.js';
import type { SigningKeySource } from './key-ring.js';
import { PLATFORM_ALG, type SigningKey } from './signing-keys.js';

/** Audiences: the platform API (registry, clearing) and the exchange edge. */
export const Audiences = { api: 'urn:renkei:api', exchange: 'urn:renkei:exchange' } as const;
export type Audience = keyof typeof Audiences;

export interface AccessClaims extends JWTPayload {
  sub: string;
  scope: string;
  jti: string;
  grant?: string;
  purpose?: string;
  dataset?: string;
  /** A Dataspace Protocol transfer the token is bound to: honoured only while that transfer is started. */
  tid?: string;
}

export interface IssueRequest {
  subject: string;
  audience: Audience;
  scopes: string[];
  ttlSeconds: number;
  grant?: string;
  purpose?: string;
  dataset?: string;
  /** Binds the token to a DSP transfer (claim `tid`). */
  transfer?: string;
}

/** A fixed list of keys (configuration, tests): the first signs, all are published. */
export function staticKeySource(keys: SigningKey[]): SigningKeySource {
  const jwks = { keys: keys.map((k) => ({ ...k.publicJwk, kid: k.kid })) };
  return {
    current() {
      const [key] = keys;
      if (!key) throw new Error('no signing key');
      return key;
    },
    jwks,
  };
}

/**
 * Signs platform access tokens with the key its source names as current at the moment of issue — a key
 * ring reloaded from the database picks up a rotation without a restart. Every token carries its `kid`.
 */
export class TokenIssuer {
  private readonly keys: SigningKeySource;

  constructor(
    keys: SigningKey[] | SigningKeySource,
    private readonly issuer: string,
    private readonly clock: Clock,
  ) {
    this.keys = Array.isArray(keys) ? staticKeySource(keys) : keys;
  }

  get jwks(): { keys: JWK[] } {
    return this.keys.jwks;
  }

  get issuerId(): string {
    return this.issuer;
  }

  async issue(req: IssueRequest): Promise<{ token: string; claims: AccessClaims }> {
    const key = this.keys.current();
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const claims: AccessClaims = {
      sub: req.subject,
      scope: req.scopes.join(' '),
      jti: randomUUID(),
      ...(req.grant ? { grant: req.grant } : {}),
      ...(req.purpose ? { purpose: req.purpose } : {}),
      ...(req.dataset ? { dataset: req.dataset } : {}),
      ...(req.transfer ? { tid: req.transfer } : {}),
    };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: PLATFORM_ALG, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setAudience(Audiences[req.audience])
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + req.ttlSeconds)
      .sign(key.privateKey);
    return {
      token,
      claims: {
        ...claims,
        iss: this.issuer,
        aud: Audiences[req.audience],
        iat: now,
        exp: now + req.ttlSeconds,
      },
    };
  }
}

export interface Principal {
  participantId: string;
  scopes: ReadonlySet<string>;
  claims: AccessClaims;
}

/** Maps jose's failures to stable codes; every one is a 401 that says what to do next. */
export function tokenError(error: unknown): Error {
  if (error instanceof errors.JWTExpired)
    return unauthenticated('TOKEN.EXPIRED', 'The access token has expired', 'Request a new token');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud')
      return unauthenticated(
        'TOKEN.WRONG_AUDIENCE',
        'The access token is not meant for this service',
        'Request a token for this service',
      );
    if (error.claim === 'iss')
      return unauthenticated('TOKEN.WRONG_ISSUER', 'The access token was not issued by this platform');
    return unauthenticated(
      'TOKEN.INVALID_CLAIMS',
      `The access token's '${error.claim}' claim is not acceptable`,
    );
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return unauthenticated('TOKEN.ALG_NOT_ALLOWED', `Tokens must be signed with ${PLATFORM_ALG}`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return unauthenticated(
      'TOKEN.INVALID_SIGNATURE',
      'The access token signature does not verify against the platform JWKS',
    );
  }
  return unauthenticated(
    'TOKEN.MALFORMED',
    'The access token is not a valid JWT',
    'Send `Authorization: Bearer <token>` with a token from the clearing service',
  );
}

/** An unknown kid reloads a local key ring at most this often. */
export const LOCAL_JWKS_COOLDOWN_MS = 1_000;
/** An unknown kid refetches the remote JWKS at most this often. */
export const REMOTE_JWKS_COOLDOWN_MS = 5_000;
/** A remote JWKS is refetched at least this often. */
export const REMOTE_JWKS_MAX_AGE_MS = 300_000;

/** Verifies signature, algorithm, issuer, audience and lifetime of platform tokens. */
export class TokenVerifier {
  constructor(
    private readonly keys: JWTVerifyGetKey,
    private readonly issuer: string,
    private readonly clock: Clock,
  ) {}

  /**
   * Verifies against keys held in this process. Pass a function to follow a key ring that changes (it is
   * called per token; the matcher is rebuilt only when it returns a different object).
   *
   * With `refresh` (reloads the ring), a token whose `kid` is not in the ring makes the verifier reload it
   * once and try again: a key another replica has just created or promoted verifies at once, without
   * waiting for this replica's next periodic reload. Reloads are shared by concurrent tokens and happen at
   * most once per `refreshCooldownMs`, so forged kids cannot flood the key store.
   */
  static local(
    jwks: { keys: JWK[] } | (() => { keys: JWK[] }),
    issuer: string,
    clock: Clock,
    options: { refresh?: () => Promise<void>; refreshCooldownMs?: number } = {},
  ): TokenVerifier {
    if (typeof jwks !== 'function') return new TokenVerifier(createLocalJWKSet(jwks), issuer, clock);
    let seen: { keys: JWK[] } | undefined;
    let matcher: JWTVerifyGetKey | undefined;
    const match: JWTVerifyGetKey = (header, token) => {
      const current = jwks();
      if (current !== seen || !matcher) {
        seen = current;
        matcher = createLocalJWKSet(current);
      }
      return matcher(header, token);
    };
    const { refresh } = options;
    if (!refresh) return new TokenVerifier(match, issuer, clock);
    const cooldownMs = options.refreshCooldownMs ?? LOCAL_JWKS_COOLDOWN_MS;
    let refreshing: Promise<void> | undefined;
    let lastRefresh = -Infinity;
    const reload = (): Promise<void> => {
      if (refreshing) return refreshing;
      // The cooldown counts on the monotonic clock of this process, not the (settable) platform clock.
      if (performance.now() - lastRefresh < cooldownMs) return Promise.resolve();
      lastRefresh = performance.now();
      // A failed reload leaves the ring as it was: the token is then refused as signed by an unknown key.
      refreshing = refresh()
        .catch(() => undefined)
        .finally(() => {
          refreshing = undefined;
        });
      return refreshing;
    };
    const getKey: JWTVerifyGetKey = async (header, token) => {
      try {
        return await match(header, token);
      } catch (error) {
        const known = header.kid !== undefined && jwks().keys.some((k) => k.kid === header.kid);
        if (!(error instanceof errors.JWKSNoMatchingKey) || !header.kid || known) throw error;
        await reload();
        return match(header, token);
      }
    };
    return new TokenVerifier(getKey, issuer, clock);
  }

  /**
   * Verifies against the clearing service's JWKS over HTTP. A token whose `kid` is not in the cached set
   * makes jose fetch the set again (at most once per `cooldownMs`, so forged kids cannot flood clearing):
   * a key published moments ago verifies at once. The cache is refreshed after `cacheMaxAgeMs` in any
   * case, so a key that left the JWKS stops verifying by then. Both must stay below the signing keys'
   * pre-publication delay (default: the max token TTL, 10 min).
   */
  static remote(
    jwksUrl: string,
    issuer: string,
    clock: Clock,
    options: { cooldownMs?: number; cacheMaxAgeMs?: number } = {},
  ): TokenVerifier {
    return new TokenVerifier(
      createRemoteJWKSet(new URL(jwksUrl), {
        cooldownDuration: options.cooldownMs ?? REMOTE_JWKS_COOLDOWN_MS,
        cacheMaxAge: options.cacheMaxAgeMs ?? REMOTE_JWKS_MAX_AGE_MS,
      }),
      issuer,
      clock,
    );
  }

  async verify(token: string, audience: Audience): Promise<Principal> {
    refuseCriticalHeaders(token, 'TOKEN.CRIT_UNSUPPORTED', 'access token');
    try {
      const { payload } = await jwtVerify<AccessClaims>(token, this.keys, {
        issuer: this.issuer,
        audience: Audiences[audience],
        algorithms: [PLATFORM_ALG],
        requiredClaims: ['sub', 'exp', 'iat', 'jti', 'scope'],
        currentDate: this.clock.now(),
        clockTolerance: 5,
      });
      return { participantId: payload.sub, scopes: new Set(payload.scope.split(' ')), claims: payload };
    } catch (error) {
      throw tokenError(error);
    }
  }
}

export function requireScope(principal: Principal, scope: string): void {
  if (!principal.scopes.has(scope)) {
    throw forbidden(
      'TOKEN.INSUFFICIENT_SCOPE',
      `This call needs scope '${scope}'`,
      'Request a token that carries this scope',
    );
  }
}
