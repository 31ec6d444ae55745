import { Body, Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import { ApiExample, ApiZodBody, ZodPipe, RateLimited, Problems, Responds } from '@renkei/platform';
import {
  DatasetTokenRequestSchema,
  JwksSchema,
  TokenResponseSchema,
  type DatasetTokenRequest,
  TokenRequestSchema,
  type TokenRequest,
} from './tokens.dto.js';
import { TokensService } from './tokens.service.js';

const publicKey = (kid: string, x: string, y: string) => ({
  kty: 'EC',
  crv: 'P-256',
  x,
  y,
  kid,
  alg: 'ES256',
  use: 'sig',
});
const jwksExample = {
  keys: [
    publicKey(
      '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
      'qPBPo7ZwPgzS-Q7pdsx1JkRRJDPoNuOv5qIlO9OPzBg',
      'rS81CVoflaGKbvBllnpb39Bc0UkY3ahI1YrHIuy88eo',
    ),
    publicKey(
      '3f2c9a4e-5b1d-4c1e-9a57-1f0c2d7e8b11',
      'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    ),
  ],
};
const tokenExample = (scope: string, expiresIn: number) => ({
  access_token: 'eyJhbGciOiJFUzI1NiIsImtpZCI6IjdjMWQuLi4iLCJ0eXAiOiJhdCtqd3QifQ.eyJzdWIiOiIuLi4ifQ.c2ln',
  token_type: 'Bearer',
  expires_in: expiresIn,
  scope,
});
const problem = (status: number, code: string, detail: string, instance: string, hint?: string) => ({
  type: `urn:renkei:error:${code}`,
  title: code,
  status,
  code,
  detail,
  ...(hint ? { hint } : {}),
  instance,
});

/** What the policy says about a token for a revoked grant (the OpenAPI example of a refusal). */
const revoked = {
  code: 'GRANT.NOT_ACTIVE',
  message: "grant '6f1c3e2a-1b4d-4f5e-8a9b-0c1d2e3f4a5b' is 'revoked', not 'granted'",
  params: { grant: '6f1c3e2a-1b4d-4f5e-8a9b-0c1d2e3f4a5b', state: 'revoked' },
};

@ApiTags('tokens')
@Controller()
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Get('.well-known/jwks.json')
  @Header('cache-control', 'public, max-age=60')
  @ApiOperation({
    summary: "The platform's public signing keys (JWKS); all services verify tokens against it",
    description:
      'The active key, a new key published ahead of its first use (rotation), and retiring keys until the last token they signed has expired. Tokens name their key in the `kid` header; a verifier that meets an unknown kid should fetch this set again.',
  })
  @Responds(200, JwksSchema, {
    description: 'The key set during a rotation: the new key and the retiring one',
    example: jwksExample,
  })
  jwks() {
    return this.tokens.jwks();
  }

  @Post('oauth/token')
  @RateLimited('token')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOperation({
    summary: 'Exchange a client assertion (RFC 7523 private_key_jwt) for a platform access token',
    description:
      'The assertion: iss = sub = your participant id, aud = this endpoint (or urn:renkei:clearing), a jti never used before, exp at most 5 minutes ahead, signed with a key you registered.',
  })
  @ApiZodBody(TokenRequestSchema, {
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImFjbWUtMjAyNi0xMSJ9.eyJpc3MiOiIuLi4ifQ.c2ln',
  })
  @Responds(200, TokenResponseSchema, {
    description: 'A platform access token',
    example: tokenExample('contracts:write grants:read grants:write datasets:token', 600),
  })
  @Problems({
    400: ['REQUEST.INVALID'],
    401: [
      'AUTH.INVALID_CLIENT_ASSERTION',
      'AUTH.ASSERTION_TOO_LONG',
      'AUTH.UNKNOWN_CLIENT',
      'AUTH.ASSERTION_REPLAYED',
      'TOKEN.ALG_NOT_ALLOWED',
      'TOKEN.EXPIRED',
    ],
    403: ['PARTICIPANT.SUSPENDED', 'TOKEN.SCOPE_NOT_ALLOWED'],
  })
  @ApiExample(
    401,
    'The assertion was used before',
    problem(
      401,
      'AUTH.ASSERTION_REPLAYED',
      'This client assertion was already used',
      '/oauth/token',
      'Sign a new assertion with a fresh jti for every token request',
    ),
  )
  token(@Body(new ZodPipe(TokenRequestSchema)) body: TokenRequest) {
    return this.tokens.platformToken(body);
  }

  @Post('tokens/dataset')
  @RateLimited('token')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @Authenticated('api', 'datasets:token')
  @ApiOperation({
    summary:
      'A short-lived exchange token for one dataset and action (publish as owner, subscribe under a grant)',
  })
  @ApiZodBody(DatasetTokenRequestSchema, { dataset: 'battery.cfp', action: 'subscribe', grantId: '6f1c…' })
  @Responds(200, TokenResponseSchema, {
    description: 'An exchange token for one dataset and action',
    example: tokenExample('subscribe:battery.cfp', 300),
  })
  @Problems({
    403: ['GRANT.NOT_ACTIVE', 'CONTRACT.NOT_OWNER', 'PARTICIPANT.SUSPENDED', '<policy reason>'],
    404: ['CONTRACT.NOT_FOUND', 'GRANT.NOT_FOUND'],
  })
  @ApiExample(403, 'The policy denied it (the decision is on the audit record)', {
    ...problem(
      403,
      'GRANT.NOT_ACTIVE',
      `A subscribe token for 'battery.cfp' was denied by policy (GRANT.NOT_ACTIVE): ${revoked.message}`,
      '/tokens/dataset',
      'The decision is on the audit record; ask the data owner about the grant or its terms',
    ),
    rule: 'GRANT.NOT_ACTIVE',
    explanation: revoked.message,
    explanations: [revoked],
  })
  datasetToken(
    @CurrentPrincipal() actor: Principal,
    @Body(new ZodPipe(DatasetTokenRequestSchema)) body: DatasetTokenRequest,
  ) {
    return this.tokens.datasetToken(actor, body);
  }
}
