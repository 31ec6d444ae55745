import { Module, type DynamicModule } from '@nestjs/common';
import { CLOCK, PlatformProjection, type Clock } from '@renkei/domain';
import { TOKEN_VERIFIER, TokenIssuer, type TokenVerifier } from '@renkei/auth';
import { OutboxRelay } from '@renkei/kafka';
import { PrismaClient } from '@renkei/persistence';
import { PolicyGate, type PolicyEngine, type ProjectionSync } from '@renkei/policy';
import { HEALTH_CHECK, observeDecision, type HealthCheck } from '@renkei/platform';
import { ClearingSettings } from './clearing-settings.js';

/**
 * Waits until the registry projection holds every registry event appended before the call (the registry
 * consumer's barrier). A function, so it has a token; call it through `syncFor` (libs/policy).
 */
export const PROJECTION_SYNC = Symbol('PROJECTION_SYNC');

/** The infrastructure main.ts builds (connections, consumers, keys) and every feature may use. */
export interface ClearingCoreDeps {
  prisma: PrismaClient;
  outbox: OutboxRelay;
  /** The registry's participants and contracts as this replica has read them from Kafka. */
  state: PlatformProjection;
  sync: ProjectionSync;
  policy: PolicyEngine;
  issuer: TokenIssuer;
  verifier: TokenVerifier;
  settings: ClearingSettings;
  clock: Clock;
  health: HealthCheck;
}

/**
 * Clearing's shared infrastructure, provided once for every feature module (global: each of them needs
 * the database and most need the projection or the clock, so importing it everywhere would only be noise).
 * Classes are their own tokens; the three values without a class keep the libraries' symbols (CLOCK,
 * TOKEN_VERIFIER for the AuthGuard, HEALTH_CHECK) or PROJECTION_SYNC. What features share with each other
 * is not here: a feature module exports it and the module that needs it imports that feature.
 */
@Module({})
export class ClearingCoreModule {
  static register(deps: ClearingCoreDeps): DynamicModule {
    return {
      module: ClearingCoreModule,
      global: true,
      providers: [
        { provide: PrismaClient, useValue: deps.prisma },
        { provide: OutboxRelay, useValue: deps.outbox },
        { provide: PlatformProjection, useValue: deps.state },
        { provide: PROJECTION_SYNC, useValue: deps.sync },
        // Every clearing decision goes through this gate: input from the projection, record for the chain.
        {
          provide: PolicyGate,
          useFactory: () => new PolicyGate(deps.policy, deps.state, 'clearing', observeDecision),
        },
        { provide: CLOCK, useValue: deps.clock },
        { provide: TokenIssuer, useValue: deps.issuer },
        { provide: TOKEN_VERIFIER, useValue: deps.verifier },
        { provide: ClearingSettings, useValue: deps.settings },
        { provide: HEALTH_CHECK, useValue: deps.health },
      ],
      exports: [
        PrismaClient,
        OutboxRelay,
        PlatformProjection,
        PROJECTION_SYNC,
        PolicyGate,
        CLOCK,
        TokenIssuer,
        TOKEN_VERIFIER,
        ClearingSettings,
        HEALTH_CHECK,
      ],
    };
  }
}
