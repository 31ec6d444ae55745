import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import { z } from 'zod';
import { ApiExample, ApiZodBody, ApiZodQuery, Problems, Responds, UuidPipe, ZodPipe } from '@renkei/platform';
import {
  ApproveGrantSchema,
  type ApproveGrant,
  GrantActionSchema,
  GrantSchema,
  type GrantAction,
  ListGrantsSchema,
  type ListGrants,
  RequestGrantSchema,
  type RequestGrant,
  grantExample,
  requestExample,
} from './grants.dto.js';

const illegalMove = {
  type: 'urn:renkei:error:GRANT.ILLEGAL_TRANSITION',
  title: 'GRANT.ILLEGAL_TRANSITION',
  status: 409,
  code: 'GRANT.ILLEGAL_TRANSITION',
  detail: "A grant in state 'revoked' cannot become 'granted'",
  hint: "'revoked' is final: request a new grant instead",
  instance: '/grants/7c2d1e0f-3b4a-4c5d-8e9f-0a1b2c3d4e5f/approve',
};
import { GrantsService } from './grants.service.js';

/** What the policy says about a purpose the contract does not offer (the OpenAPI example of a refusal). */
const purposeExplanation = {
  code: 'PURPOSE.NOT_ALLOWED',
  message: "purpose 'marketing' is not among the contract's purposes cfp-disclosure, due-diligence",
  params: {
    action: 'grant.request',
    purpose: 'marketing',
    grantPurpose: null,
    purposes: ['cfp-disclosure', 'due-diligence'],
  },
};

@ApiTags('grants')
@Controller('grants')
export class GrantsController {
  constructor(private readonly grants: GrantsService) {}

  @Post()
  @Authenticated('api', 'grants:write')
  @ApiOperation({ summary: 'Request access to a dataset for a stated purpose (consumer)' })
  @ApiZodBody(RequestGrantSchema, requestExample)
  @Responds(201, GrantSchema, {
    description: 'The requested grant',
    example: { ...grantExample, state: 'requested' },
  })
  @Problems({
    403: ['PURPOSE.NOT_ALLOWED', 'PARTICIPANT.SUSPENDED', '<policy reason>'],
    404: ['CONTRACT.NOT_FOUND'],
  })
  @ApiExample(403, 'Refused by policy', {
    type: 'urn:renkei:error:PURPOSE.NOT_ALLOWED',
    title: 'PURPOSE.NOT_ALLOWED',
    status: 403,
    code: 'PURPOSE.NOT_ALLOWED',
    detail: `The access request was denied by policy (PURPOSE.NOT_ALLOWED): ${purposeExplanation.message}`,
    rule: 'PURPOSE.NOT_ALLOWED',
    explanation: purposeExplanation.message,
    explanations: [purposeExplanation],
    hint: 'The decision is on the audit record; ask the data owner about the grant or its terms',
    instance: '/grants',
  })
  request(@CurrentPrincipal() actor: Principal, @Body(new ZodPipe(RequestGrantSchema)) body: RequestGrant) {
    return this.grants.request(actor, body);
  }

  @Get()
  @Authenticated('api', 'grants:read')
  @ApiOperation({ summary: 'Grants you are a party to' })
  @ApiZodQuery(ListGrantsSchema)
  @Responds(200, z.array(GrantSchema), { description: 'Your grants', example: [grantExample] })
  list(@CurrentPrincipal() actor: Principal, @Query(new ZodPipe(ListGrantsSchema)) query: ListGrants) {
    return this.grants.list(actor, query);
  }

  @Get(':id')
  @Authenticated('api', 'grants:read')
  @ApiOperation({ summary: 'One grant (parties only)' })
  @Responds(200, GrantSchema, { description: 'The grant', example: grantExample })
  @Problems({ 404: ['GRANT.NOT_FOUND'] })
  get(@CurrentPrincipal() actor: Principal, @Param('id', new UuidPipe()) id: string) {
    return this.grants.get(actor, id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({
    summary: 'Approve a requested grant (originator); the policy decides',
    description:
      "historyFrom decides how much of the topic's past the consumer may read: 'all', events published since an ISO time, or (default) what the consumer asked for, else nothing published before this approval.",
  })
  @ApiZodBody(ApproveGrantSchema)
  @Responds(200, GrantSchema, {
    description: 'The grant after the move',
    example: { ...grantExample, state: 'granted' },
  })
  @Problems({
    403: ['PARTICIPANT.SUSPENDED', '<policy reason>'],
    404: ['GRANT.NOT_FOUND'],
    409: ['GRANT.ILLEGAL_TRANSITION'],
  })
  @ApiExample(409, 'Not allowed from the current state', illegalMove)
  approve(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(ApproveGrantSchema)) body: ApproveGrant,
  ) {
    return this.grants.approve(actor, id, body.reason, body.historyFrom);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({ summary: 'Reject a requested grant (originator)' })
  @ApiZodBody(GrantActionSchema)
  @Responds(200, GrantSchema, {
    description: 'The grant after the move',
    example: { ...grantExample, state: 'rejected' },
  })
  @Problems({
    403: ['PARTICIPANT.SUSPENDED', '<policy reason>'],
    404: ['GRANT.NOT_FOUND'],
    409: ['GRANT.ILLEGAL_TRANSITION'],
  })
  @ApiExample(409, 'Not allowed from the current state', illegalMove)
  reject(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(GrantActionSchema)) body: GrantAction,
  ) {
    return this.grants.reject(actor, id, body.reason);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({
    summary: 'Revoke a grant (originator, or the consumer giving it up); deliveries stop at once',
  })
  @ApiZodBody(GrantActionSchema)
  @Responds(200, GrantSchema, {
    description: 'The grant after the move',
    example: { ...grantExample, state: 'revoked' },
  })
  @Problems({
    403: ['PARTICIPANT.SUSPENDED', '<policy reason>'],
    404: ['GRANT.NOT_FOUND'],
    409: ['GRANT.ILLEGAL_TRANSITION'],
  })
  @ApiExample(409, 'Not allowed from the current state', illegalMove)
  revoke(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(GrantActionSchema)) body: GrantAction,
  ) {
    return this.grants.revoke(actor, id, body.reason);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({ summary: 'Suspend a grant (originator); resume it later' })
  @ApiZodBody(GrantActionSchema)
  @Responds(200, GrantSchema, {
    description: 'The grant after the move',
    example: { ...grantExample, state: 'suspended' },
  })
  @Problems({
    403: ['PARTICIPANT.SUSPENDED', '<policy reason>'],
    404: ['GRANT.NOT_FOUND'],
    409: ['GRANT.ILLEGAL_TRANSITION'],
  })
  @ApiExample(409, 'Not allowed from the current state', illegalMove)
  suspend(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(GrantActionSchema)) body: GrantAction,
  ) {
    return this.grants.suspend(actor, id, body.reason);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({ summary: 'Resume a suspended grant (originator)' })
  @ApiZodBody(GrantActionSchema)
  @Responds(200, GrantSchema, {
    description: 'The grant after the move',
    example: { ...grantExample, state: 'granted' },
  })
  @Problems({
    403: ['PARTICIPANT.SUSPENDED', '<policy reason>'],
    404: ['GRANT.NOT_FOUND'],
    409: ['GRANT.ILLEGAL_TRANSITION'],
  })
  @ApiExample(409, 'Not allowed from the current state', illegalMove)
  resume(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(GrantActionSchema)) body: GrantAction,
  ) {
    return this.grants.resume(actor, id, body.reason);
  }
}
