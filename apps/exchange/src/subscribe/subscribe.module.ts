import { Module } from '@nestjs/common';
import { ContractsModule } from '../contracts/contracts.module.js';
import { DecisionsModule } from '../decisions/decisions.module.js';
import { ProtectionModule } from '../protection/protection.module.js';
import { TopicsModule } from '../topics/topics.module.js';
import { SubscribeController } from './subscribe.controller.js';
import { SubscribeService } from './subscribe.service.js';

/**
 * GET /datasets/:dataset/stream: the subscription is decided once when it opens (SubscribeService), then
 * every batch is decided again and delivered with its obligations applied (Subscription). Every stream of
 * a dataset reads one shared consumer (TopicFeed, ADR 0027).
 */
@Module({
  imports: [ContractsModule, DecisionsModule, ProtectionModule, TopicsModule],
  controllers: [SubscribeController],
  providers: [SubscribeService],
  exports: [SubscribeService],
})
export class SubscribeModule {}
