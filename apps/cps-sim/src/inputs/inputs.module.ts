import { Module, type DynamicModule } from '@nestjs/common';
import { InputsService } from './inputs.service.js';

/** The twin's inputs: the datasets followed under the service's own grants, and the twin built from them. */
@Module({})
export class InputsModule {
  /** `inputs` is started and stopped by the composition (it follows streams before the app listens). */
  static register(inputs: InputsService): DynamicModule {
    return {
      module: InputsModule,
      providers: [{ provide: InputsService, useValue: inputs }],
      exports: [InputsService],
    };
  }
}
