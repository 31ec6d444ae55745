import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule } from '@renkei/platform';
import { CatalogModule } from './catalog/catalog.module.js';
import { ContractsModule } from './contracts/contracts.module.js';
import { ParticipantsModule } from './participants/participants.module.js';
import { RegistryDependenciesModule, type RegistryDeps } from './registry.dependencies.js';

export { type RegistryDeps } from './registry.dependencies.js';

/** The registry: its feature modules over the dependencies main.ts opened. */
@Module({})
export class RegistryModule {
  static register(deps: RegistryDeps): DynamicModule {
    return {
      module: RegistryModule,
      imports: [
        RegistryDependenciesModule.register(deps),
        ParticipantsModule,
        CatalogModule,
        ContractsModule,
        HealthModule,
      ],
    };
  }
}
