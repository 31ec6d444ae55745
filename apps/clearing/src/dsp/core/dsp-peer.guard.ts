import {
  Inject,
  Injectable,
  UseGuards,
  applyDecorators,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { TOKEN_VERIFIER, type Principal, type TokenVerifier } from '@renkei/auth';
import { forbidden, PlatformProjection, unauthenticated } from '@renkei/domain';
import { syncFor, type ProjectionSync } from '@renkei/policy';
import { PROJECTION_SYNC } from '../../core/clearing-core.module.js';

/**
 * Who is calling a /dsp route: a peer connector is a registered participant (its own key, the platform's
 * RFC 7523 login) whose platform access token arrives as `Authorization: Bearer`. The participant must be
 * active. Its id is the peer of every process it starts; only that peer may move or read the process.
 */
@Injectable()
export class DspPeerGuard implements CanActivate {
  constructor(
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(PlatformProjection) private readonly state: PlatformProjection,
    @Inject(PROJECTION_SYNC) private readonly sync: ProjectionSync,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1]) {
      throw unauthenticated(
        'TOKEN.MISSING',
        'A DSP call needs the bearer token of a registered participant',
        "Log in at clearing's /oauth/token with your connector key (RFC 7523) and send `Authorization: Bearer <token>`",
      );
    }
    const principal = await this.verifier.verify(match[1], 'api');
    request.principal = principal;
    const id = principal.participantId;
    await syncFor(this.sync, () => this.state.participants.has(id));
    const participant = this.state.participants.get(id);
    if (!participant || participant.status !== 'active') {
      throw forbidden(
        'PARTICIPANT.SUSPENDED',
        'Only an active participant may speak DSP here',
        'Contact the consortium admin',
      );
    }
    return true;
  }
}

/** A /dsp route: a peer's platform token is required (see DspPeerGuard). */
export const DspAuthenticated = () => applyDecorators(UseGuards(DspPeerGuard), ApiBearerAuth());

/** The calling peer (set by DspPeerGuard). */
export const DspCaller = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  if (!principal) throw unauthenticated('TOKEN.MISSING', 'This call needs a bearer token');
  return principal;
});
