import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import {
  ApiExample,
  ApiZodBody,
  ZodPipe,
  RateLimited,
  DATASET_PARAM_SCHEMA,
  DatasetPipe,
  Problems,
  Responds,
} from '@renkei/platform';
import { PublishBatchSchema, PublishResultSchema, type PublishBatch, publishExample } from './publish.dto.js';
import { PublishService } from './publish.service.js';

@ApiTags('exchange')
@Controller('datasets')
export class PublishController {
  constructor(private readonly publisher: PublishService) {}

  @Post(':dataset/events')
  @RateLimited('publish')
  @HttpCode(202)
  @Authenticated('exchange')
  @ApiParam({ name: 'dataset', example: 'battery.cfp', schema: DATASET_PARAM_SCHEMA })
  @ApiOperation({
    summary: 'Publish a batch of events under the dataset contract (owner, publish token)',
    description:
      'All events are validated against the contract JSON Schema; any error rejects the whole batch with the failing paths. 202 means Kafka has acknowledged every event (acks=all).',
  })
  @ApiZodBody(PublishBatchSchema, publishExample)
  @Responds(202, PublishResultSchema, {
    description: 'Every event is on Kafka (acks=all)',
    example: {
      accepted: 2,
      dataset: 'battery.cfp',
      contractVersion: '1.1.0',
      eventIds: ['0c8e4a52-1f7b-4c5e-9b2a-7d3f6e1a9c04', '5d2f8b61-3a9c-4e7d-8f1b-2c6a9e4d7b13'],
      partitions: [{ partition: 1, baseOffset: '41' }],
    },
  })
  @Problems({
    400: ['CONTRACT.SCHEMA_VIOLATION', 'PUBLISH.BATCH_TOO_LARGE'],
    403: ['POLICY.DENIED', '<policy reason>'],
    404: ['CONTRACT.NOT_FOUND'],
    409: ['CONTRACT.VERSION_NOT_PUBLISHED', 'CONTRACT.VERSION_RETIRED'],
    503: ['KAFKA.UNAVAILABLE', 'CLEARING.UNAVAILABLE', 'PROTECTION.UNAVAILABLE', 'SERVICE.STOPPING'],
  })
  @ApiExample(400, 'A payload does not follow the contract; nothing was published', {
    type: 'urn:renkei:error:CONTRACT.SCHEMA_VIOLATION',
    title: 'CONTRACT.SCHEMA_VIOLATION',
    status: 400,
    code: 'CONTRACT.SCHEMA_VIOLATION',
    detail: 'The payloads do not follow contract battery.cfp@1.1.0; nothing was published',
    errors: [{ path: '/events/1/payload/cfpKgCo2ePerKwh', message: 'must be number' }],
    hint: 'Fix the listed fields and resend the whole batch',
    instance: '/datasets/battery.cfp/events',
  })
  publish(
    @CurrentPrincipal() principal: Principal,
    @Param('dataset', new DatasetPipe()) dataset: string,
    @Body(new ZodPipe(PublishBatchSchema)) body: PublishBatch,
  ) {
    return this.publisher.publish(principal, dataset, body);
  }
}
