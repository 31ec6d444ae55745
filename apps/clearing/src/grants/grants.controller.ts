import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, type Principal } from '#libs/auth';
import { ApiZodBody, ApiZodQuery, UuidPipe, ZodPipe } from '#libs/platform';
import {
  GrantActionSchema,
  type GrantAction,
  ListGrantsSchema,
  type ListGrants,
  RequestGrantSchema,
  type RequestGrant,
  requestExample,
} from './grants.dto.js';
import { GrantsService } from './grants.service.js';

@ApiTags('grants')
@Controller('grants')
export class GrantsController {
  constructor(private readonly grants: GrantsService) {}

  @Post()
  @Authenticated('api', 'grants:write')
  @ApiOperation({ summary: 'Request access to a dataset for a stated purpose (consumer)' })
  @ApiZodBody(RequestGrantSchema, requestExample)
  request(@CurrentPrincipal() actor: Principal, @Body(new ZodPipe(RequestGrantSchema)) body: RequestGrant) {
    return this.grants.request(actor, body);
  }

  @Get()
  @Authenticated('api', 'grants:read')
  @ApiOperation({ summary: 'Grants you are a party to' })
  @ApiZodQuery(ListGrantsSchema)
  list(@CurrentPrincipal() actor: Principal, @Query(new ZodPipe(ListGrantsSchema)) query: ListGrants) {
    return this.grants.list(actor, query);
  }

  @Get(':id')
  @Authenticated('api', 'grants:read')
  @ApiOperation({ summary: 'One grant (parties only)' })
  get(@CurrentPrincipal() actor: Principal, @Param('id', new UuidPipe()) id: string) {
    return this.grants.get(actor, id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({ summary: 'Approve a requested grant (originator); the policy decides' })
  @ApiZodBody(GrantActionSchema)
  approve(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(GrantActionSchema)) body: GrantAction,
  ) {
    return this.grants.approve(actor, id, body.reason);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({ summary: 'Reject a requested grant (originator)' })
  @ApiZodBody(GrantActionSchema)
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
  resume(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(GrantActionSchema)) body: GrantAction,
  ) {
    return this.grants.resume(actor, id, body.reason);
  }
}
