import { Module, type DynamicModule } from '@nestjs/common';
import { CLOCK, type Clock } from '#libs/domain';
import { AuthGuard, TOKEN_VERIFIER, type TokenIssuer, type TokenVerifier } from '#libs/auth';
import type { OutboxRelay } from '#libs/kafka';
import type { PrismaClient } from '#libs/persistence';
import type { PolicyEngine } from '#libs/policy';
import { HEALTH_CHECK, HealthController, type HealthCheck } from '#libs/platform';
import { AuditController } from './audit/audit.controller.js';
import { AuditService } from './audit/audit.service.js';
import type { ClearingSettings, PlatformProjection, ProjectionSync } from './clearing.context.js';
import { ISSUER, OUTBOX, POLICY, PRISMA, SETTINGS, STATE, SYNC } from './clearing.tokens.js';
import { GrantsController } from './grants/grants.controller.js';
import { GrantsService } from './grants/grants.service.js';
import { NotificationsController } from './notifications/notifications.controller.js';
import { NotificationsService } from './notifications/notifications.service.js';
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
}

@Module({})
export class ClearingModule {
  static register(deps: ClearingDeps): DynamicModule {
    return {
      module: ClearingModule,
      controllers: [
        TokensController,
        GrantsController,
        NotificationsController,
        AuditController,
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
        AuthGuard,
        TokensService,
        GrantsService,
        AuditService,
        NotificationsService,
      ],
    };
  }
}
