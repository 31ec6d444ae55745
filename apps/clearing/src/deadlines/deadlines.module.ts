import { Module } from '@nestjs/common';
import { GrantsModule } from '../grants/grants.module.js';
import { DeadlineSweeper } from './deadline.sweeper.js';

/** What happens by time alone: grants expire, deletion obligations become overdue. main.ts starts it. */
@Module({
  imports: [GrantsModule],
  providers: [DeadlineSweeper],
  exports: [DeadlineSweeper],
})
export class DeadlinesModule {}
