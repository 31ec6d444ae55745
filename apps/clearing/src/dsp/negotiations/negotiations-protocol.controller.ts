import { Controller, Get, HttpCode, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '@renkei/auth';
import { ApiZodBody, Problems, Responds } from '@renkei/platform';
import { readDspMessage } from '../core/dsp-body.js';
import { DspErrorFilter, notePids } from '../core/dsp-error.filter.js';
import {
  ContractAgreementMessageSchema,
  ContractAgreementVerificationMessageSchema,
  ContractNegotiationEventMessageSchema,
  ContractNegotiationTerminationMessageSchema,
  ContractOfferMessageSchema,
  ContractRequestMessageSchema,
  DSP_CONTEXT,
} from '../core/dsp-messages.js';
import { DspAuthenticated, DspCaller } from '../core/dsp-peer.guard.js';
import {
  ContractNegotiationViewSchema,
  contractNegotiationExample,
  DspMessageBodySchema,
} from './negotiations.dto.js';
import { DspNegotiations } from './negotiations.service.js';

const pidParam = ApiParam({
  name: 'pid',
  description:
    'Our pid of the negotiation: the providerPid (provider side) or the consumerPid (consumer side)',
  schema: { type: 'string', maxLength: 512 },
});
const moved = Responds(200, ContractNegotiationViewSchema, {
  description: 'Taken: the negotiation as it is now',
  example: { ...contractNegotiationExample, state: 'ACCEPTED' },
});
const refusals = Problems({
  400: ['DSP.INVALID_MESSAGE'],
  404: ['DSP.UNKNOWN_PROCESS'],
  409: ['DSP.ILLEGAL_TRANSITION'],
  413: ['DSP.MESSAGE_TOO_LARGE'],
});
const example = (type: string, more: Record<string, unknown> = {}) => ({
  '@context': [DSP_CONTEXT],
  '@type': type,
  providerPid: contractNegotiationExample.providerPid,
  consumerPid: contractNegotiationExample.consumerPid,
  ...more,
});

/**
 * The Dataspace Protocol's contract negotiation endpoints (DSP 2025-1 HTTPS binding) under /dsp. Provider
 * and consumer side share the paths: `{pid}` is our pid, and the side of the process says which machine
 * takes the message. Only the process's peer (the caller's platform token) may move or read it; anyone
 * else gets the answer for an unknown process. Errors are ContractNegotiationError bodies (409 for a move the
 * state does not allow, never 404 for a process the caller is party to).
 */
@ApiTags('dataspace protocol')
@Controller('dsp/negotiations')
@DspAuthenticated()
@UseFilters(new DspErrorFilter('ContractNegotiationError'))
export class NegotiationsProtocolController {
  constructor(private readonly negotiations: DspNegotiations) {}

  @Post('request')
  @HttpCode(201)
  @ApiOperation({
    summary: 'ContractRequestMessage: ask for an offer (provider side); a grant request by the calling peer',
    description:
      'Idempotent by consumerPid. The purpose is the offer’s odrl:purpose constraint, else the contract’s only purpose. Messages to the consumer go to its callbackAddress after this answer.',
  })
  @ApiZodBody(DspMessageBodySchema, {
    '@context': [DSP_CONTEXT],
    '@type': 'ContractRequestMessage',
    consumerPid: contractNegotiationExample.consumerPid,
    offer: {
      '@id': 'urn:renkei:offer:battery.cfp:1.2.0',
      '@type': 'Offer',
      target: 'urn:renkei:dataset:battery.cfp:1.2.0',
      permission: [{ action: 'use' }],
    },
    callbackAddress: 'https://edc.partner.example/api/dsp',
  })
  @Responds(201, ContractNegotiationViewSchema, {
    description: 'The negotiation, REQUESTED',
    example: contractNegotiationExample,
  })
  @Problems({
    400: ['DSP.INVALID_MESSAGE', 'DSP.UNKNOWN_OFFER', 'DSP.PURPOSE_REQUIRED', 'DSP.ADDRESS_NOT_ALLOWED'],
    409: ['GRANT.ALREADY_REQUESTED', 'GRANT.TOO_MANY_PENDING'],
    413: ['DSP.MESSAGE_TOO_LARGE'],
  })
  request(
    @DspCaller() peer: Principal,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const msg = readDspMessage(req, ContractRequestMessageSchema);
    notePids(req, { consumerPid: msg.consumerPid });
    return this.negotiations.request(peer, msg, reply);
  }

  @Post(':pid/request')
  @HttpCode(200)
  @pidParam
  @ApiOperation({
    summary: 'ContractRequestMessage on a negotiation: a counter-offer (provider side; from OFFERED)',
  })
  @ApiZodBody(DspMessageBodySchema, example('ContractRequestMessage', { offer: contractNegotiationExample }))
  @moved
  @refusals
  counter(
    @DspCaller() peer: Principal,
    @Param('pid') pid: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    notePids(req, { providerPid: pid });
    const msg = readDspMessage(req, ContractRequestMessageSchema);
    notePids(req, { consumerPid: msg.consumerPid });
    return this.negotiations.fromPeer(
      peer,
      pid,
      'request',
      { ...msg, providerPid: msg.providerPid ?? pid },
      reply,
      'ContractRequestMessage',
    );
  }

  @Post(':pid/events')
  @HttpCode(200)
  @pidParam
  @ApiOperation({
    summary: 'ContractNegotiationEventMessage: ACCEPTED (to the provider) or FINALIZED (to the consumer)',
  })
  @ApiZodBody(DspMessageBodySchema, example('ContractNegotiationEventMessage', { eventType: 'ACCEPTED' }))
  @moved
  @refusals
  event(
    @DspCaller() peer: Principal,
    @Param('pid') pid: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    notePids(req, { providerPid: pid });
    const msg = readDspMessage(req, ContractNegotiationEventMessageSchema);
    notePids(req, msg);
    const move = msg.eventType === 'ACCEPTED' ? 'accept' : 'finalize';
    return this.negotiations.fromPeer(
      peer,
      pid,
      move,
      msg,
      reply,
      `ContractNegotiationEventMessage ${msg.eventType}`,
    );
  }

  @Post(':pid/agreement/verification')
  @HttpCode(200)
  @pidParam
  @ApiOperation({
    summary: 'ContractAgreementVerificationMessage: the consumer verifies the agreement (provider side)',
  })
  @ApiZodBody(DspMessageBodySchema, example('ContractAgreementVerificationMessage'))
  @moved
  @refusals
  verify(
    @DspCaller() peer: Principal,
    @Param('pid') pid: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    notePids(req, { providerPid: pid });
    const msg = readDspMessage(req, ContractAgreementVerificationMessageSchema);
    notePids(req, msg);
    return this.negotiations.fromPeer(
      peer,
      pid,
      'verify',
      msg,
      reply,
      'ContractAgreementVerificationMessage',
    );
  }

  @Post(':pid/termination')
  @HttpCode(200)
  @pidParam
  @ApiOperation({
    summary:
      'ContractNegotiationTerminationMessage: the peer ends the negotiation before FINALIZED (409 after)',
  })
  @ApiZodBody(
    DspMessageBodySchema,
    example('ContractNegotiationTerminationMessage', { code: '1', reason: ['no longer needed'] }),
  )
  @moved
  @refusals
  terminate(
    @DspCaller() peer: Principal,
    @Param('pid') pid: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    notePids(req, { providerPid: pid });
    const msg = readDspMessage(req, ContractNegotiationTerminationMessageSchema);
    notePids(req, msg);
    return this.negotiations.fromPeer(
      peer,
      pid,
      'terminate',
      { ...msg, code: msg.code },
      reply,
      'ContractNegotiationTerminationMessage',
    );
  }

  @Post(':pid/offers')
  @HttpCode(200)
  @pidParam
  @ApiOperation({ summary: 'ContractOfferMessage: the provider offers (consumer side; from REQUESTED)' })
  @ApiZodBody(
    DspMessageBodySchema,
    example('ContractOfferMessage', {
      offer: { '@id': 'offer-1', '@type': 'Offer', target: 'dataset-1', permission: [{ action: 'use' }] },
    }),
  )
  @moved
  @refusals
  offer(
    @DspCaller() peer: Principal,
    @Param('pid') pid: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    notePids(req, { consumerPid: pid });
    const msg = readDspMessage(req, ContractOfferMessageSchema);
    notePids(req, msg);
    return this.negotiations.fromPeer(peer, pid, 'offer', msg, reply, 'ContractOfferMessage');
  }

  @Post(':pid/agreement')
  @HttpCode(200)
  @pidParam
  @ApiOperation({
    summary: 'ContractAgreementMessage: the provider agrees (consumer side; from REQUESTED or ACCEPTED)',
  })
  @ApiZodBody(
    DspMessageBodySchema,
    example('ContractAgreementMessage', {
      agreement: {
        '@id': 'agreement-1',
        '@type': 'Agreement',
        target: 'dataset-1',
        assigner: 'p',
        assignee: 'c',
        timestamp: '2026-12-02T14:00:00Z',
        permission: [{ action: 'use' }],
      },
    }),
  )
  @moved
  @refusals
  agreement(
    @DspCaller() peer: Principal,
    @Param('pid') pid: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    notePids(req, { consumerPid: pid });
    const msg = readDspMessage(req, ContractAgreementMessageSchema);
    notePids(req, msg);
    return this.negotiations.fromPeer(peer, pid, 'agree', msg, reply, 'ContractAgreementMessage');
  }

  @Get(':pid')
  @pidParam
  @ApiOperation({ summary: 'The negotiation’s state (only its peer may read it)' })
  @Responds(200, ContractNegotiationViewSchema, {
    description: 'The negotiation',
    example: contractNegotiationExample,
  })
  @Problems({ 404: ['DSP.UNKNOWN_PROCESS'] })
  get(@DspCaller() peer: Principal, @Param('pid') pid: string, @Req() req: FastifyRequest) {
    notePids(req, { providerPid: pid });
    return this.negotiations.view(peer, pid);
  }
}
