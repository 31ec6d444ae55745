import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { InputsService } from '../inputs/inputs.service.js';
import { RunsService } from './runs.service.js';

/** Scenario runs on frozen snapshots of the twin, off the request (on a worker thread). */
@Module({})
export class RunsModule {
  /** Runs read the twin: `inputs` is the InputsModule registered for this app. */
  static register(inputs: DynamicModule, logger: Logger): DynamicModule {
    return {
      module: RunsModule,
      imports: [inputs],
      providers: [
        {
          provide: RunsService,
          useFactory: (twin: InputsService) => new RunsService(twin, logger.child({ component: 'runs' })),
          inject: [InputsService],
        },
      ],
      exports: [RunsService],
    };
  }
}
