import {
  Inject,
  Injectable,
  SetMetadata,
  UseGuards,
  applyDecorators,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth } from '@nestjs/swagger';
import { unauthenticated } from '@renkei/domain';
import { requireScope, TokenVerifier, type Audience, type Principal } from './tokens.js';

export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');
const AUTH_OPTIONS = 'renkei:auth';

interface AuthOptions {
  audience: Audience;
  scope?: string;
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const options = this.reflector.getAllAndOverride<AuthOptions | undefined>(AUTH_OPTIONS, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!options) return true;
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header);
    if (!match?.[1]) {
      throw unauthenticated(
        'TOKEN.MISSING',
        'This call needs a bearer token',
        'Send `Authorization: Bearer <access token>`',
      );
    }
    const principal = await this.verifier.verify(match[1], options.audience);
    // Set before the scope check, so a refusal for a missing scope is recorded under who asked (ADR 0018).
    request.principal = principal;
    if (options.scope) requireScope(principal, options.scope);
    return true;
  }
}

/** Marks a route as needing a platform token for `audience` (and optionally a scope). */
export const Authenticated = (audience: Audience, scope?: string) =>
  applyDecorators(SetMetadata(AUTH_OPTIONS, { audience, scope }), UseGuards(AuthGuard), ApiBearerAuth());

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  if (!principal) throw unauthenticated('TOKEN.MISSING', 'This call needs a bearer token');
  return principal;
});
