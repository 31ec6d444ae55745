import { Controller, Get, HttpCode, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '@renkei/auth';
import type { TransferMessage } from '@renkei/domain';
import { ApiZodBody, Problems, Responds } from '@renkei/platform';
import { readDspMessage } from '../core/dsp-body.js';
import {
  TransferCompletionMessageSchema,
  TransferRequestMessageSchema,
  TransferStartMessageSchema,
  TransferSuspensionMessageSchema,
  TransferTerminationMessageSchema,
} from '../core/dsp-messages.js';
import { DspErrorFilter, notePids } from '../core/dsp-error.filter.js';
import { DspAuthenticated, DspCaller } from '../core/dsp-peer.guard.js';
import { TransferProcessSchema, transferProcessExample } from './transfers.dto.js';
import { DspTransfersService } from './transfers.service.js';

const PID = {
  name: 'pid',
  description: 'Our pid: the provider pid (provider side) or the consumer pid (consumer side)',
};

const schemas = {
  start: TransferStartMessageSchema,
  suspension: TransferSuspensionMessageSchema,
  completion: TransferCompletionMessageSchema,
  termination: TransferTerminationMessageSchema,
} as const;

/**
 * The DSP 2025-1 transfer process endpoints (HTTPS binding) under /dsp, both sides: a peer's request (we are
 * the provider), and the messages that move a process keyed by our pid (the provider pid when we provide,
 * the consumer pid when the peer provides). Only the process's peer may move or read it; refusals answer a
 * `TransferError`, illegal moves 409.
 */
@ApiTags('dsp')
@Controller('dsp/transfers')
@UseFilters(new DspErrorFilter('TransferError'))
export class DspTransfersController {
  constructor(private readonly transfers: DspTransfersService) {}

  @Post('request')
  @HttpCode(201)
  @DspAuthenticated()
  @ApiOperation({
    summary: 'DSP TransferRequestMessage: use an agreement (a grant you hold) in a format',
    description:
      'Answers the TransferProcess (REQUESTED; idempotent by consumerPid). What follows depends on the grant: live → TransferStartMessage to your callbackAddress with a dataAddress (exchange endpoint + a token bound to this transfer); not live yet or suspended → stays REQUESTED until it is; ended → TransferTerminationMessage. An agreement that is not yours answers 400 like an unknown one.',
  })
  @ApiZodBody(TransferRequestMessageSchema, {
    '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
    '@type': 'TransferRequestMessage',
    consumerPid: 'urn:uuid:5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
    agreementId: '7c2d1e0f-3b4a-4c5d-8e9f-0a1b2c3d4e5f',
    format: 'Renkei-NDJSON-STREAM',
    callbackAddress: 'https://edc.example.com/api/dsp',
  })
  @Responds(201, TransferProcessSchema, {
    description: 'The transfer process',
    example: transferProcessExample,
  })
  @Problems({
    400: [
      'DSP.INVALID_MESSAGE',
      'TRANSFER.UNKNOWN_AGREEMENT',
      'TRANSFER.FORMAT_UNSUPPORTED',
      'DSP.ADDRESS_NOT_ALLOWED',
    ],
    401: ['TOKEN.MISSING', 'TOKEN.EXPIRED'],
    403: ['PARTICIPANT.SUSPENDED'],
    413: ['DSP.MESSAGE_TOO_LARGE'],
  })
  request(
    @DspCaller() caller: Principal,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const msg = readDspMessage(req, TransferRequestMessageSchema);
    notePids(req, { consumerPid: msg.consumerPid });
    return this.transfers.request(caller, msg, reply);
  }

  @Get(':pid')
  @DspAuthenticated()
  @ApiParam(PID)
  @ApiOperation({ summary: 'DSP: the state of a transfer process you are a party to' })
  @Responds(200, TransferProcessSchema, {
    description: 'The transfer process',
    example: transferProcessExample,
  })
  @Problems({ 401: ['TOKEN.MISSING'], 404: ['DSP.UNKNOWN_PROCESS'] })
  get(@DspCaller() caller: Principal, @Param('pid') pid: string) {
    return this.transfers.get(caller, pid);
  }

  @Post(':pid/start')
  @HttpCode(200)
  @DspAuthenticated()
  @ApiParam(PID)
  @ApiOperation({
    summary:
      'DSP TransferStartMessage: the provider starts (with a dataAddress), or the party that suspended starts again',
  })
  @ApiZodBody(TransferStartMessageSchema)
  @Responds(200, TransferProcessSchema, {
    description: 'Started: the transfer process in its new state',
    example: transferProcessExample,
  })
  @Problems({ 400: ['DSP.INVALID_MESSAGE'], 404: ['DSP.UNKNOWN_PROCESS'], 409: ['DSP.ILLEGAL_TRANSITION'] })
  start(
    @DspCaller() caller: Principal,
    @Param('pid') pid: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.receive(caller, pid, 'start', req, reply);
  }

  @Post(':pid/suspension')
  @HttpCode(200)
  @DspAuthenticated()
  @ApiParam(PID)
  @ApiOperation({
    summary: 'DSP TransferSuspensionMessage: its streams end at once and its token is refused',
  })
  @ApiZodBody(TransferSuspensionMessageSchema)
  @Responds(200, TransferProcessSchema, {
    description: 'Suspended: the transfer process in its new state',
    example: transferProcessExample,
  })
  @Problems({ 400: ['DSP.INVALID_MESSAGE'], 404: ['DSP.UNKNOWN_PROCESS'], 409: ['DSP.ILLEGAL_TRANSITION'] })
  suspension(
    @DspCaller() caller: Principal,
    @Param('pid') pid: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.receive(caller, pid, 'suspension', req, reply);
  }

  @Post(':pid/completion')
  @HttpCode(200)
  @DspAuthenticated()
  @ApiParam(PID)
  @ApiOperation({
    summary: 'DSP TransferCompletionMessage: the transfer ends normally; its token is refused',
  })
  @ApiZodBody(TransferCompletionMessageSchema)
  @Responds(200, TransferProcessSchema, {
    description: 'Completed: the transfer process in its new state',
    example: transferProcessExample,
  })
  @Problems({ 400: ['DSP.INVALID_MESSAGE'], 404: ['DSP.UNKNOWN_PROCESS'], 409: ['DSP.ILLEGAL_TRANSITION'] })
  completion(
    @DspCaller() caller: Principal,
    @Param('pid') pid: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.receive(caller, pid, 'completion', req, reply);
  }

  @Post(':pid/termination')
  @HttpCode(200)
  @DspAuthenticated()
  @ApiParam(PID)
  @ApiOperation({
    summary: 'DSP TransferTerminationMessage: its streams end at once and its token is refused',
  })
  @ApiZodBody(TransferTerminationMessageSchema)
  @Responds(200, TransferProcessSchema, {
    description: 'Terminated: the transfer process in its new state',
    example: transferProcessExample,
  })
  @Problems({ 400: ['DSP.INVALID_MESSAGE'], 404: ['DSP.UNKNOWN_PROCESS'], 409: ['DSP.ILLEGAL_TRANSITION'] })
  termination(
    @DspCaller() caller: Principal,
    @Param('pid') pid: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.receive(caller, pid, 'termination', req, reply);
  }

  private async receive(
    caller: Principal,
    pid: string,
    message: TransferMessage,
    req: FastifyRequest,
    reply: FastifyReply,
  ) {
    const msg = readDspMessage(req, schemas[message]) as {
      providerPid: string;
      consumerPid: string;
      reason?: unknown[];
      code?: unknown;
      dataAddress?: unknown;
    };
    notePids(req, { providerPid: msg.providerPid, consumerPid: msg.consumerPid });
    return this.transfers.receive(caller, pid, message, msg, reply);
  }
}
