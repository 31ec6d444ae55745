import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated, CurrentPrincipal, type Principal } from '#libs/auth';
import { SubscribeService } from './subscribe.service.js';

@ApiTags('exchange')
@Controller('datasets')
export class SubscribeController {
  constructor(private readonly subscriptions: SubscribeService) {}

  @Get(':dataset/stream')
  @Authenticated('exchange')
  @ApiParam({ name: 'dataset', example: 'battery.cfp' })
  @ApiProduces('application/x-ndjson')
  @ApiQuery({
    name: 'after',
    required: false,
    example: '0:41,2:17',
    description:
      'Resume after these positions (partition:offset of the last events you processed); default: after the last events the platform wrote to you',
  })
  @ApiOperation({
    summary: 'Receive events under your grant as a stream of JSON lines (subscribe token)',
    description:
      'Each line is {"type":"event","event":{…}}, {"type":"heartbeat"} or a final {"type":"end","code":…}. Delivery resumes where your last stream stopped. Fields are dropped or pseudonymised as the policy obliges; the stream ends at once when the grant is revoked or suspended.',
  })
  async stream(
    @CurrentPrincipal() principal: Principal,
    @Param('dataset') dataset: string,
    @Query('after') after: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    const positions = SubscribeService.parsePositions(after);
    const grant = await this.subscriptions.authorise(principal, dataset);
    reply.hijack();
    await this.subscriptions.stream(principal, grant, reply.raw, positions);
  }
}
