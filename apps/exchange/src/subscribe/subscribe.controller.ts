import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { keepStreamOpen, DATASET_PARAM_SCHEMA, DatasetPipe, Problems, Responds } from '@renkei/platform';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import { AFTER_DESCRIPTION, StreamLineSchema, snapshotExamples, streamExamples } from './subscribe.dto.js';
import { SubscribeService } from './subscribe.service.js';

@ApiTags('exchange')
@Controller('datasets')
export class SubscribeController {
  constructor(private readonly subscriptions: SubscribeService) {}

  @Get(':dataset/stream')
  @Authenticated('exchange')
  @ApiParam({ name: 'dataset', example: 'battery.cfp', schema: DATASET_PARAM_SCHEMA })
  @ApiProduces('application/x-ndjson')
  @ApiQuery({
    name: 'after',
    required: false,
    example: '0:41,2:17',
    description: AFTER_DESCRIPTION,
  })
  @ApiOperation({
    summary: 'Receive events under your grant as a stream of JSON lines (subscribe token)',
    description:
      'Each line is {"type":"event","event":{…}}, {"type":"notice"} (the contract got a new version, was deprecated or retired), {"type":"heartbeat"} or a final {"type":"end","code":…}. Delivery resumes where your last stream stopped. Fields are dropped or pseudonymised as the policy obliges, records of people who opted out are withheld, and fields whose data key was destroyed are listed in event.erased; the stream ends at once when the grant is revoked, suspended or expires.',
  })
  @Problems({
    400: ['STREAM.INVALID_POSITION'],
    403: ['GRANT.NOT_ACTIVE', 'POLICY.DENIED', '<policy reason>'],
    404: ['GRANT.NOT_FOUND', 'CONTRACT.NOT_FOUND'],
    409: ['STREAM.ALREADY_OPEN'],
    503: ['KAFKA.UNAVAILABLE', 'SERVICE.STOPPING'],
  })
  @Responds(200, StreamLineSchema, {
    description:
      'JSON lines, one per event, notice, heartbeat, and a final end: the schema is that of each line',
    mediaType: 'application/x-ndjson',
    examples: streamExamples,
  })
  async stream(
    @CurrentPrincipal() principal: Principal,
    @Param('dataset', new DatasetPipe()) dataset: string,
    @Query('after') after: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    const positions = SubscribeService.parsePositions(after);
    const grant = await this.subscriptions.authorise(principal, dataset, positions);
    reply.hijack();
    // A stream outlives the idle-socket timeout by design: it has heartbeats and ends with its grant or token.
    keepStreamOpen(reply.raw);
    await this.subscriptions.stream(principal, grant, reply.raw, positions);
  }

  @Get(':dataset/snapshot')
  @Authenticated('exchange')
  @ApiParam({ name: 'dataset', example: 'battery.cfp', schema: DATASET_PARAM_SCHEMA })
  @ApiProduces('application/x-ndjson')
  @ApiQuery({
    name: 'after',
    required: false,
    example: '0:41,2:17',
    description:
      'Read after these positions (partition:offset of the last events you processed), e.g. to continue a snapshot that ended with SNAPSHOT.PARTIAL; default: from the start of what your grant covers',
  })
  @ApiOperation({
    summary: 'Read what is on the topic now under your grant, as JSON lines that end (subscribe token)',
    description:
      'The HttpData-PULL format of a Dataspace Protocol transfer: the lines of a stream, from the start of what your grant covers (or after `after`) up to the events published when the read began, then a final {"type":"end","code":"SNAPSHOT.COMPLETE"}; at most 10 000 events or 30 s per read ({"type":"end","code":"SNAPSHOT.PARTIAL"}: read again with `after`). The same policy decides every event as on a stream; the read does not move your stream\'s position, and it ends at once if the grant or the transfer ends.',
  })
  @Problems({
    400: ['STREAM.INVALID_POSITION'],
    403: ['GRANT.NOT_ACTIVE', 'TRANSFER.NOT_ACTIVE', 'POLICY.DENIED', '<policy reason>'],
    404: ['GRANT.NOT_FOUND', 'CONTRACT.NOT_FOUND'],
    503: ['KAFKA.UNAVAILABLE', 'SERVICE.STOPPING'],
  })
  @Responds(200, StreamLineSchema, {
    description: 'JSON lines, one per event, and a final end: the schema is that of each line',
    mediaType: 'application/x-ndjson',
    examples: snapshotExamples,
  })
  async snapshot(
    @CurrentPrincipal() principal: Principal,
    @Param('dataset', new DatasetPipe()) dataset: string,
    @Query('after') after: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    const positions = SubscribeService.parsePositions(after);
    const grant = await this.subscriptions.authorise(principal, dataset, positions, 'snapshot');
    reply.hijack();
    keepStreamOpen(reply.raw);
    await this.subscriptions.snapshot(principal, grant, reply.raw, positions);
  }
}
