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
import {
  HELD_GRANTS,
  OUTBOX,
  PRISMA,
  REGISTRY_URLS,
  type RegistryUrls,
  SCHEMA_WORK,
} from './registry.tokens.js';
import type { HeldGrants } from './contracts/held-grants.js';
import { SchemaWork } from './contracts/schema-work.js';

export interface RegistryDeps {
  prisma: PrismaClient;
  outbox: OutboxRelay;
  verifier: TokenVerifier;
  urls: RegistryUrls;
  health: HealthCheck;
  /**
   * Clearing's answer to "which inputs does this registrant hold grants on" (derived contracts). Without
   * it none are held: only inputs the registrant owns verify.
   */
  heldGrants?: HeldGrants;
  /** The schema worker pool (limits, budget); default: tasks run inline, for generating documents. */
  schemaWork?: SchemaWork;
}

const noGrantsHeld: HeldGrants = { held: () => Promise.resolve(new Set<string>()) };

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
        { provide: HELD_GRANTS, useValue: deps.heldGrants ?? noGrantsHeld },
        { provide: SCHEMA_WORK, useValue: deps.schemaWork ?? new SchemaWork({}, true) },
        AuthGuard,
        ParticipantsService,
        ContractsService,
        CatalogService,
      ],
    };
  }
}
