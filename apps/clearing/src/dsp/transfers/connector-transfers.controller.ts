import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import { ApiZodBody, ApiZodQuery, Problems, Responds, UuidPipe, ZodPipe } from '@renkei/platform';
import {
  CreateTransferSchema,
  ListTransfersSchema,
  TransferActionSchema,
  TransferSchema,
  transferExample,
  type CreateTransfer,
  type ListTransfers,
  type TransferAction,
} from './transfers.dto.js';
import { DspTransfersService } from './transfers.service.js';

const MOVE_PROBLEMS = {
  404: ['TRANSFER.NOT_FOUND'],
  409: ['DSP.ILLEGAL_TRANSITION'],
};

/**
 * A member's view of its DSP transfers (/connector/transfers): the originator's provider-side transfers of
 * its grants, and the consumer-side transfers it asked peers for. Each side moves only its own side.
 */
@ApiTags('connector')
@Controller('connector/transfers')
export class ConnectorTransfersController {
  constructor(private readonly transfers: DspTransfersService) {}

  @Get()
  @Authenticated('api', 'grants:read')
  @ApiOperation({ summary: 'Your DSP transfers: as provider (your grants) or as consumer (asked of peers)' })
  @ApiZodQuery(ListTransfersSchema)
  @Responds(200, z.array(TransferSchema), {
    description: 'Your transfers, newest first',
    example: [transferExample],
  })
  list(@CurrentPrincipal() actor: Principal, @Query(new ZodPipe(ListTransfersSchema)) query: ListTransfers) {
    return this.transfers.list(actor, query);
  }

  @Get(':id')
  @Authenticated('api', 'grants:read')
  @ApiOperation({ summary: 'One of your DSP transfers' })
  @Responds(200, TransferSchema, { description: 'The transfer', example: transferExample })
  @Problems({ 404: ['TRANSFER.NOT_FOUND'] })
  get(@CurrentPrincipal() actor: Principal, @Param('id', new UuidPipe()) id: string) {
    return this.transfers.getOwn(actor, id);
  }

  @Post()
  @HttpCode(201)
  @Authenticated('api', 'grants:write')
  @ApiOperation({
    summary: 'Ask a peer connector for a transfer under an agreement you negotiated there (consumer)',
    description:
      'Sends a TransferRequestMessage to the peer; the process is REQUESTED until the provider starts it. With `into`, every event the data address delivers is published into that dataset of yours.',
  })
  @ApiZodBody(CreateTransferSchema, {
    peer: '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8',
    agreementId: 'agreement-42',
    format: 'Renkei-NDJSON-STREAM',
  })
  @Responds(201, TransferSchema, {
    description: 'The transfer, REQUESTED',
    example: { ...transferExample, side: 'consumer', state: 'REQUESTED', providerPid: null },
  })
  @Problems({
    400: ['REQUEST.INVALID', 'DSP.ADDRESS_NOT_ALLOWED', 'TRANSFER.INTO_INVALID'],
    404: ['DSP.PEER_NOT_FOUND'],
  })
  create(
    @CurrentPrincipal() actor: Principal,
    @Body(new ZodPipe(CreateTransferSchema)) body: CreateTransfer,
  ) {
    return this.transfers.create(actor, body);
  }

  @Post(':id/start')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({
    summary:
      'Start your side: the originator starts a requested transfer (grant live), or whoever suspended starts it again',
  })
  @ApiZodBody(TransferActionSchema, {})
  @Responds(200, TransferSchema, { description: 'The transfer, STARTED', example: transferExample })
  @Problems(MOVE_PROBLEMS)
  start(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(TransferActionSchema)) body: TransferAction,
  ) {
    return this.transfers.move(actor, id, 'start', body.reason);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({ summary: 'Suspend a started transfer: its streams end at once, its token is refused' })
  @ApiZodBody(TransferActionSchema, { reason: 'maintenance' })
  @Responds(200, TransferSchema, {
    description: 'The transfer, SUSPENDED',
    example: { ...transferExample, state: 'SUSPENDED' },
  })
  @Problems(MOVE_PROBLEMS)
  suspend(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(TransferActionSchema)) body: TransferAction,
  ) {
    return this.transfers.move(actor, id, 'suspension', body.reason);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({ summary: 'Complete a started transfer (it ends normally; its token is refused)' })
  @ApiZodBody(TransferActionSchema, {})
  @Responds(200, TransferSchema, {
    description: 'The transfer, COMPLETED',
    example: { ...transferExample, state: 'COMPLETED' },
  })
  @Problems(MOVE_PROBLEMS)
  complete(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(TransferActionSchema)) body: TransferAction,
  ) {
    return this.transfers.move(actor, id, 'completion', body.reason);
  }

  @Post(':id/terminate')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({ summary: 'Terminate a transfer: its streams end at once, its token is refused' })
  @ApiZodBody(TransferActionSchema, { reason: 'no longer needed' })
  @Responds(200, TransferSchema, {
    description: 'The transfer, TERMINATED',
    example: { ...transferExample, state: 'TERMINATED' },
  })
  @Problems(MOVE_PROBLEMS)
  terminate(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(TransferActionSchema)) body: TransferAction,
  ) {
    return this.transfers.move(actor, id, 'termination', body.reason);
  }
}
