import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import { ApiZodBody, ApiZodQuery, Problems, Responds, UuidPipe, ZodPipe } from '@renkei/platform';
import {
  AgreeSchema,
  CounterOfferSchema,
  CreateNegotiationSchema,
  ListNegotiationsSchema,
  NegotiationSchema,
  negotiationExample,
  TerminateSchema,
  type Agree,
  type CounterOffer,
  type CreateNegotiation,
  type ListNegotiations,
  type Terminate,
} from './negotiations.dto.js';
import { DspNegotiations } from './negotiations.service.js';

const moved = (state: string) =>
  Responds(200, NegotiationSchema, {
    description: 'The negotiation after the move',
    example: { ...negotiationExample, state },
  });
const refusals = Problems({ 404: ['DSP.NEGOTIATION_NOT_FOUND'], 409: ['DSP.ILLEGAL_TRANSITION'] });

/**
 * The member-facing side of DSP negotiations: originators see peers' requests for their datasets and make
 * the provider's moves (offer, agree, finalize, terminate); members negotiate with other connectors as the
 * consumer (create, accept, verify, counter-offer, terminate). Only the member's own side of its processes.
 */
@ApiTags('connector')
@Controller('connector/negotiations')
export class NegotiationsController {
  constructor(private readonly negotiations: DspNegotiations) {}

  @Get()
  @Authenticated('api', 'grants:read')
  @ApiOperation({
    summary: 'Your DSP negotiations (provider side: peers asking for your datasets; consumer side: yours)',
  })
  @ApiZodQuery(ListNegotiationsSchema)
  @Responds(200, z.array(NegotiationSchema), { description: 'Newest first', example: [negotiationExample] })
  list(
    @CurrentPrincipal() actor: Principal,
    @Query(new ZodPipe(ListNegotiationsSchema)) query: ListNegotiations,
  ) {
    return this.negotiations.list(actor, query);
  }

  @Get(':id')
  @Authenticated('api', 'grants:read')
  @ApiOperation({ summary: 'One of your DSP negotiations' })
  @Responds(200, NegotiationSchema, { description: 'The negotiation', example: negotiationExample })
  @Problems({ 404: ['DSP.NEGOTIATION_NOT_FOUND'] })
  get(@CurrentPrincipal() actor: Principal, @Param('id', new UuidPipe()) id: string) {
    return this.negotiations.get(actor, id);
  }

  @Post()
  @Authenticated('api', 'grants:write')
  @ApiOperation({
    summary: 'Negotiate with another DSP connector as the consumer: sends a ContractRequestMessage',
    description:
      "connectorAddress defaults to the peer's registered protocol URL. Answers at once (REQUESTED); the request goes out after the answer, and the provider's messages move the negotiation.",
  })
  @ApiZodBody(CreateNegotiationSchema, {
    peer: negotiationExample.peer,
    offerId: 'urn:renkei:offer:battery.cfp:1.2.0',
    datasetId: 'urn:renkei:dataset:battery.cfp:1.2.0',
    purpose: 'cfp-disclosure',
  })
  @Responds(201, NegotiationSchema, {
    description: 'The negotiation, REQUESTED',
    example: { ...negotiationExample, side: 'consumer', providerPid: null },
  })
  @Problems({ 400: ['DSP.ADDRESS_NOT_ALLOWED'], 404: ['DSP.PEER_NOT_FOUND'] })
  create(
    @CurrentPrincipal() actor: Principal,
    @Body(new ZodPipe(CreateNegotiationSchema)) body: CreateNegotiation,
  ) {
    return this.negotiations.create(actor, body);
  }

  @Post(':id/offer')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({
    summary: "Provider: offer the contract's terms to the requesting peer (REQUESTED → OFFERED)",
  })
  @moved('OFFERED')
  @refusals
  offer(@CurrentPrincipal() actor: Principal, @Param('id', new UuidPipe()) id: string) {
    return this.negotiations.offer(actor, id);
  }

  @Post(':id/agree')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({
    summary: 'Provider: approve and send the agreement (REQUESTED/ACCEPTED → AGREED); the policy decides',
    description:
      "Same as POST /grants/{grantId}/approve. finalize: on-verification (default) makes the grant live on the consumer's verification; manual waits for POST …/finalize.",
  })
  @ApiZodBody(AgreeSchema, { finalize: 'on-verification' })
  @moved('AGREED')
  @Problems({ 403: ['<policy reason>'], 404: ['DSP.NEGOTIATION_NOT_FOUND'], 409: ['DSP.ILLEGAL_TRANSITION'] })
  agree(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(AgreeSchema)) body: Agree,
  ) {
    return this.negotiations.agree(actor, id, body.finalize);
  }

  @Post(':id/finalize')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({
    summary: 'Provider: finalize a verified agreement; the grant goes live (VERIFIED → FINALIZED)',
  })
  @moved('FINALIZED')
  @Problems({ 403: ['<policy reason>'], 404: ['DSP.NEGOTIATION_NOT_FOUND'], 409: ['DSP.ILLEGAL_TRANSITION'] })
  finalize(@CurrentPrincipal() actor: Principal, @Param('id', new UuidPipe()) id: string) {
    return this.negotiations.finalize(actor, id);
  }

  @Post(':id/terminate')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({
    summary: 'Either side: terminate before FINALIZED (provider: the grant request is rejected)',
    description: 'A FINALIZED agreement is not terminated (409): revoke its grant instead.',
  })
  @ApiZodBody(TerminateSchema, { reason: 'terms not acceptable' })
  @moved('TERMINATED')
  @refusals
  terminate(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(TerminateSchema)) body: Terminate,
  ) {
    return this.negotiations.terminate(actor, id, body.reason);
  }

  @Post(':id/accept')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({ summary: "Consumer: accept the provider's offer (OFFERED → ACCEPTED)" })
  @moved('ACCEPTED')
  @refusals
  accept(@CurrentPrincipal() actor: Principal, @Param('id', new UuidPipe()) id: string) {
    return this.negotiations.accept(actor, id);
  }

  @Post(':id/verify')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({ summary: "Consumer: verify the provider's agreement (AGREED → VERIFIED)" })
  @moved('VERIFIED')
  @refusals
  verify(@CurrentPrincipal() actor: Principal, @Param('id', new UuidPipe()) id: string) {
    return this.negotiations.verify(actor, id);
  }

  @Post(':id/request')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({ summary: "Consumer: counter the provider's offer (OFFERED → REQUESTED)" })
  @ApiZodBody(CounterOfferSchema, {})
  @moved('REQUESTED')
  @refusals
  counter(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(CounterOfferSchema)) body: CounterOffer,
  ) {
    return this.negotiations.counter(actor, id, body.offer);
  }
}
