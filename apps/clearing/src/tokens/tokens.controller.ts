import { Body, Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, type Principal } from '#libs/auth';
import { ApiZodBody, ZodPipe } from '#libs/platform';
import {
  DatasetTokenRequestSchema,
  type DatasetTokenRequest,
  TokenRequestSchema,
  type TokenRequest,
} from './tokens.dto.js';
import { TokensService } from './tokens.service.js';

@ApiTags('tokens')
@Controller()
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Get('.well-known/jwks.json')
  @Header('cache-control', 'public, max-age=60')
  @ApiOperation({
    summary: "The platform's public signing keys (JWKS); all services verify tokens against it",
  })
  jwks() {
    return this.tokens.jwks();
  }

  @Post('oauth/token')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOperation({
    summary: 'Exchange a client assertion (RFC 7523 private_key_jwt) for a platform access token',
    description:
      'The assertion: iss = sub = your participant id, aud = this endpoint (or urn:renkei:clearing), a jti never used before, exp at most 5 minutes ahead, signed with a key you registered.',
  })
  @ApiZodBody(TokenRequestSchema)
  token(@Body(new ZodPipe(TokenRequestSchema)) body: TokenRequest) {
    return this.tokens.platformToken(body);
  }

  @Post('tokens/dataset')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @Authenticated('api', 'datasets:token')
  @ApiOperation({
    summary:
      'A short-lived exchange token for one dataset and action (publish as owner, subscribe under a grant)',
  })
  @ApiZodBody(DatasetTokenRequestSchema, { dataset: 'battery.cfp', action: 'subscribe', grantId: '6f1c…' })
  datasetToken(
    @CurrentPrincipal() actor: Principal,
    @Body(new ZodPipe(DatasetTokenRequestSchema)) body: DatasetTokenRequest,
  ) {
    return this.tokens.datasetToken(actor, body);
  }
}
