import { Module } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { GroupedProducer } from '@renkei/kafka';
import { ContractsModule } from '../contracts/contracts.module.js';
import { DecisionsModule } from '../decisions/decisions.module.js';
import { KAFKA_PRODUCER, LOGGER } from '../platform/platform.module.js';
import { ProtectionModule } from '../protection/protection.module.js';
import { TopicsModule } from '../topics/topics.module.js';
import { PublishController } from './publish.controller.js';
import { PublishService } from './publish.service.js';

/**
 * POST /datasets/:dataset/events: validated against the contract (contracts/), decided (decisions/),
 * protected (protection/), partitioned (topics/) and produced, combined with the publications arriving
 * meanwhile (GroupedProducer), acknowledged only once Kafka has every event.
 */
@Module({
  imports: [ContractsModule, DecisionsModule, ProtectionModule, TopicsModule],
  controllers: [PublishController],
  providers: [
    PublishService,
    {
      provide: GroupedProducer,
      useFactory: (producer: Producer, logger: Logger) => new GroupedProducer(producer, logger),
      inject: [KAFKA_PRODUCER, LOGGER],
    },
  ],
  exports: [PublishService],
})
export class PublishModule {}
