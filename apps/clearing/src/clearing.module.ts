import { Module, type DynamicModule } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';
import { CLOCK, type Clock } from '#libs/domain';
import { AuthGuard, TOKEN_VERIFIER, type TokenIssuer, type TokenVerifier } from '#libs/auth';
import type { OutboxRelay } from '#libs/kafka';
import type { PrismaClient } from '#libs/persistence';
import type { PolicyEngine } from '#libs/policy';
import { HEALTH_CHECK, HealthController, type HealthCheck } from '#libs/platform';
import { AuditController } from './audit/audit.controller.js';
import { AuditService, CHECKPOINTS } from './audit/audit.service.js';
import type { AuditCheckpointer } from './audit/checkpoints.js';
import type { ClearingSettings, PlatformProjection, ProjectionSync } from './clearing.context.js';
import { ISSUER, OUTBOX, POLICY, PRISMA, SETTINGS, STATE, SYNC } from './clearing.tokens.js';
import { DeletionController } from './deletion/deletion.controller.js';
import { DeletionService } from './deletion/deletion.service.js';
import { DeletionSweeper } from './deletion/deletion.sweeper.js';
import { ConsentsController } from './consents/consents.controller.js';
import { ConsentsService } from './consents/consents.service.js';
import type { DataKeyStore } from './data-keys/data-key-store.js';
import { DataKeysController, InternalDataKeysController } from './data-keys/data-keys.controller.js';
import { DATA_KEYS, DataKeysService } from './data-keys/data-keys.service.js';
import { DatasetOwners } from './datasets/dataset-owners.js';
import { SERVICE_JWKS, ServiceGuard } from './data-keys/service.guard.js';
import { GrantsController } from './grants/grants.controller.js';
import { SIGNING_KEYS, SigningKeysController } from './keys/keys.controller.js';
import type { SigningKeyManager } from './keys/signing-key-manager.js';
import { GrantsService } from './grants/grants.service.js';
import { NotificationsController } from './notifications/notifications.controller.js';
import { NotificationsService } from './notifications/notifications.service.js';
import { PlatformEventsModule } from './platform-events/platform-events.module.js';
import { TokensController } from './tokens/tokens.controller.js';
import { TokensService } from './tokens/tokens.service.js';

export interface ClearingDeps {
  prisma: PrismaClient;
  outbox: OutboxRelay;
  state: PlatformProjection;
  sync: ProjectionSync;
  policy: PolicyEngine;
  issuer: TokenIssuer;
  verifier: TokenVerifier;
  settings: ClearingSettings;
  clock: Clock;
  health: HealthCheck;
  dataKeys: DataKeyStore;
  /** Public keys of platform services (the exchange) allowed on the internal endpoints. */
  serviceJwks: JSONWebKeySet | null;
  /** The token signing-key ring (rotation); optional only so the OpenAPI script can build the module. */
  signingKeys?: SigningKeyManager;
  /** Signs audit checkpoints; optional for the same reason. */
  checkpoints?: AuditCheckpointer;
}

@Module({})
export class ClearingModule {
  static register(deps: ClearingDeps): DynamicModule {
    return {
      module: ClearingModule,
      imports: [PlatformEventsModule.register({ state: deps.state, prisma: deps.prisma })], // ADR 0021
      controllers: [
        TokensController,
        GrantsController,
        NotificationsController,
        ConsentsController,
        DataKeysController,
        InternalDataKeysController,
        AuditController,
        SigningKeysController,
        DeletionController,
        HealthController,
      ],
      providers: [
        { provide: PRISMA, useValue: deps.prisma },
        { provide: OUTBOX, useValue: deps.outbox },
        { provide: STATE, useValue: deps.state },
        { provide: SYNC, useValue: deps.sync },
        { provide: POLICY, useValue: deps.policy },
        { provide: ISSUER, useValue: deps.issuer },
        { provide: TOKEN_VERIFIER, useValue: deps.verifier },
        { provide: SETTINGS, useValue: deps.settings },
        { provide: CLOCK, useValue: deps.clock },
        { provide: HEALTH_CHECK, useValue: deps.health },
        { provide: DATA_KEYS, useValue: deps.dataKeys },
        { provide: SERVICE_JWKS, useValue: deps.serviceJwks },
        { provide: SIGNING_KEYS, useValue: deps.signingKeys ?? null },
        { provide: CHECKPOINTS, useValue: deps.checkpoints ?? null },
        ServiceGuard,
        DatasetOwners,
        ConsentsService,
        DataKeysService,
        AuthGuard,
        TokensService,
        GrantsService,
        AuditService,
        NotificationsService,
        DeletionService,
        // Started by main.ts (not by merely building the module, e.g. for the OpenAPI document).
        DeletionSweeper,
      ],
    };
  }
}
