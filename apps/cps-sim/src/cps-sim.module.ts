import { Module, type DynamicModule } from '@nestjs/common';
import { AuthGuard, TOKEN_VERIFIER, type TokenVerifier } from '#libs/auth';
import { HEALTH_CHECK, HealthController, type HealthCheck } from '#libs/platform';
import { CPS, type CpsContext } from './cps-sim.context.js';
import { CpsSimController } from './http/cps-sim.controller.js';

export interface CpsSimDeps {
  context: CpsContext;
  verifier: TokenVerifier;
  health: HealthCheck;
}

/**
 * The CPS simulation service: the consortium's digital twin, a participant like any other, bound by the
 * same consents. It follows its inputs through the exchange under its own grants, runs scenarios on
 * snapshots of the twin, and publishes results as derived datasets carrying lineage to their inputs.
 */
@Module({})
export class CpsSimModule {
  static register(deps: CpsSimDeps): DynamicModule {
    return {
      module: CpsSimModule,
      controllers: [CpsSimController, HealthController],
      providers: [
        { provide: CPS, useValue: deps.context },
        { provide: TOKEN_VERIFIER, useValue: deps.verifier },
        { provide: HEALTH_CHECK, useValue: deps.health },
        AuthGuard,
      ],
    };
  }
}
