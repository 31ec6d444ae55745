import { Module, type DynamicModule } from '@nestjs/common';
import { AuthGuard, TOKEN_VERIFIER, type TokenVerifier } from '#libs/auth';
import type { OutboxRelay } from '#libs/kafka';
import type { PrismaClient } from '#libs/persistence';
import { HEALTH_CHECK, HealthController, type HealthCheck } from '#libs/platform';
import { ContractsController } from './contracts/contracts.controller.js';
import { ContractsService } from './contracts/contracts.service.js';
import { ParticipantsController } from './participants/participants.controller.js';
import { ParticipantsService } from './participants/participants.service.js';
import { CatalogController } from './catalog/catalog.controller.js';
import { CatalogService } from './catalog/catalog.service.js';
import { OdcsController } from './contracts/odcs.controller.js';
import { SchemaWork } from './contracts/schema-work.js';
import { OUTBOX, PRISMA, REGISTRY_URLS, SCHEMA_WORK, type RegistryUrls } from './registry.tokens.js';

export interface RegistryDeps {
  prisma: PrismaClient;
  outbox: OutboxRelay;
  verifier: TokenVerifier;
  urls: RegistryUrls;
  health: HealthCheck;
  /** The schema worker pool (limits, budget); default: tasks run inline, for generating documents. */
  schemaWork?: SchemaWork;
}

@Module({})
export class RegistryModule {
  static register(deps: RegistryDeps): DynamicModule {
    return {
      module: RegistryModule,
      controllers: [
        ParticipantsController,
        CatalogController,
        OdcsController,
        ContractsController,
        HealthController,
      ],
      providers: [
        { provide: PRISMA, useValue: deps.prisma },
        { provide: OUTBOX, useValue: deps.outbox },
        { provide: REGISTRY_URLS, useValue: deps.urls },
        { provide: TOKEN_VERIFIER, useValue: deps.verifier },
        { provide: HEALTH_CHECK, useValue: deps.health },
        { provide: SCHEMA_WORK, useValue: deps.schemaWork ?? new SchemaWork({}, true) },
        AuthGuard,
        ParticipantsService,
        ContractsService,
        CatalogService,
      ],
    };
  }
}
