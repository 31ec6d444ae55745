import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { unauthenticated, unavailable } from '@renkei/domain';

export const SERVICE_JWKS = Symbol('SERVICE_JWKS');
export const SERVICE_AUDIENCE = 'urn:renkei:clearing:internal';
export const EXCHANGE_ISSUER = 'urn:renkei:exchange';

/**
 * Platform services (the exchange) call clearing's internal endpoints with a short-lived ES256 JWT signed
 * by their own key, whose public part is configured here (EXCHANGE_JWKS). Participants' tokens never pass.
 */
@Injectable()
export class ServiceGuard implements CanActivate {
  private readonly keys: ReturnType<typeof createLocalJWKSet> | null;

  constructor(@Inject(SERVICE_JWKS) jwks: JSONWebKeySet | null) {
    this.keys = jwks ? createLocalJWKSet(jwks) : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.keys) {
      throw unavailable(
        'SERVICE.NOT_CONFIGURED',
        'No platform service key is configured',
        'Set EXCHANGE_JWKS',
      );
    }
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>()
      .headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7) : null;
    if (!token) throw unauthenticated('TOKEN.MISSING', 'A platform service token is required');
    try {
      await jwtVerify(token, this.keys, {
        issuer: EXCHANGE_ISSUER,
        audience: SERVICE_AUDIENCE,
        algorithms: ['ES256'],
        maxTokenAge: '2m',
      });
      return true;
    } catch {
      throw unauthenticated('TOKEN.INVALID', 'Not a valid platform service token');
    }
  }
}
