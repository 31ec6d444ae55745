import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { keepStreamOpen, DATASET_PARAM_SCHEMA, DatasetPipe, Problems, Responds } from '#libs/platform';
import { Authenticated, CurrentPrincipal, type Principal } from '#libs/auth';
import { SubscribeService } from './subscribe.service.js';

/** NDJSON is text: each line is one JSON object ({type: event | notice | heartbeat | end, …}). */
const streamLines = { type: 'string', description: 'Newline-delimited JSON objects' };

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
    description:
      "Resume after these positions (partition:offset of the last events you processed), or 'start' to replay everything still on the topic (every event is decided again under your grant); default: after the last events the platform wrote to you",
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
  @Responds(200, streamLines, {
    description: 'JSON lines, one per event, notice, heartbeat, and a final end',
    mediaType: 'application/x-ndjson',
    example: [
      '{"type":"event","event":{"id":"0c8e4a52-1f7b-4c5e-9b2a-7d3f6e1a9c04","dataset":"battery.cfp","contractVersion":"1.1.0","originator":"3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10","subject":"lot-2026-11-0001","payload":{"lotId":"lot-2026-11-0001","cfpKgCo2ePerKwh":61.4}},"position":"1:41"}',
      '{"type":"notice","code":"CONTRACT.DEPRECATED","dataset":"battery.cfp","version":"1.0.0","message":"Version 1.0.0 of \'battery.cfp\' is deprecated","reason":"Use 1.1.0"}',
      '{"type":"heartbeat","at":"2026-11-21T07:00:15.000Z"}',
      '{"type":"end","code":"GRANT.REVOKED","message":"The grant is now revoked"}',
    ].join('\n'),
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
}
