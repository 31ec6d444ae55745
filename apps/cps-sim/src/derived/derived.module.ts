import { Module, type DynamicModule } from '@nestjs/common';
import { DerivedService } from './derived.service.js';

/** Run results published as derived datasets, with lineage to the inputs they were built from. */
@Module({})
export class DerivedModule {
  /** A derived dataset is governed by its inputs and carries a run's result: it needs both modules. */
  static register(inputs: DynamicModule, runs: DynamicModule): DynamicModule {
    return {
      module: DerivedModule,
      imports: [inputs, runs],
      providers: [DerivedService],
      exports: [DerivedService],
    };
  }
}
