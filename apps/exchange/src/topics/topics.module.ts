import { Module } from '@nestjs/common';
import { DataTopics, KafkaDataTopics } from './data-topics.js';

/** Datasets' data topics: created on first use, and where each event's key puts it. */
@Module({
  providers: [{ provide: DataTopics, useClass: KafkaDataTopics }],
  exports: [DataTopics],
})
export class TopicsModule {}
