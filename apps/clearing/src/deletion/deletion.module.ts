import { Module } from '@nestjs/common';
import { DeletionController } from './deletion.controller.js';
import { DeletionService } from './deletion.service.js';

/** Deletion obligations: listed to both parties, confirmed by the consumer's signed receipt. */
@Module({
  controllers: [DeletionController],
  providers: [DeletionService],
})
export class DeletionModule {}
