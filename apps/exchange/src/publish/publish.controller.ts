import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, type Principal } from '#libs/auth';
import { ApiZodBody, ZodPipe } from '#libs/platform';
import { PublishBatchSchema, type PublishBatch, publishExample } from './publish.dto.js';
import { PublishService } from './publish.service.js';

@ApiTags('exchange')
@Controller('datasets')
export class PublishController {
  constructor(private readonly publisher: PublishService) {}

  @Post(':dataset/events')
  @HttpCode(202)
  @Authenticated('exchange')
  @ApiParam({ name: 'dataset', example: 'battery.cfp' })
  @ApiOperation({
    summary: 'Publish a batch of events under the dataset contract (owner, publish token)',
    description:
      'All events are validated against the contract JSON Schema; any error rejects the whole batch with the failing paths. 202 means Kafka has acknowledged every event (acks=all).',
  })
  @ApiZodBody(PublishBatchSchema, publishExample)
  publish(
    @CurrentPrincipal() principal: Principal,
    @Param('dataset') dataset: string,
    @Body(new ZodPipe(PublishBatchSchema)) body: PublishBatch,
  ) {
    return this.publisher.publish(principal, dataset, body);
  }
}
