import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
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
  @ApiOperation({
    summary: 'Receive events under your grant as a stream of JSON lines (subscribe token)',
    description:
      'Each line is {"type":"event","event":{…}}, {"type":"heartbeat"} or a final {"type":"end","code":…}. Delivery resumes where your last stream stopped. Fields are dropped or pseudonymised as the policy obliges; the stream ends at once when the grant is revoked or suspended.',
  })
  async stream(
    @CurrentPrincipal() principal: Principal,
    @Param('dataset') dataset: string,
    @Res() reply: FastifyReply,
  ) {
    const grant = await this.subscriptions.authorise(principal, dataset);
    reply.hijack();
    await this.subscriptions.stream(principal, grant, reply.raw);
  }
}
