import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuthGuard, TOKEN_VERIFIER, type TokenVerifier } from '@renkei/auth';
import { HEALTH_CHECK, HealthModule, type HealthCheck } from '@renkei/platform';
import { RenkeiClient } from '@renkei/sdk';
import { CpsIdentity } from './cps-sim.identity.js';
import { DerivedModule } from './derived/derived.module.js';
import { CpsSimController } from './http/cps-sim.controller.js';
import { InputsModule } from './inputs/inputs.module.js';
import type { InputsService } from './inputs/inputs.service.js';
import { RunsModule } from './scenarios/runs.module.js';
import { ScenariosModule } from './scenarios/scenarios.module.js';

/** What the service works with once it has a participant identity. */
export interface CpsEngine {
  client: RenkeiClient;
  inputs: InputsService;
  logger: Logger;
}

export interface CpsSimDeps {
  identity: CpsIdentity;
  verifier: TokenVerifier;
  health: HealthCheck;
  /** Null while the service has no participant identity: every data call is 503 CPS.NOT_CONFIGURED. */
  engine?: CpsEngine | null;
}

/** The providers every part of the service may use, given once at the composition root. */
@Module({})
export class CpsDependenciesModule {
  static register(deps: CpsSimDeps): DynamicModule {
    const providers: Provider[] = [
      { provide: CpsIdentity, useValue: deps.identity },
      { provide: TOKEN_VERIFIER, useValue: deps.verifier },
      { provide: HEALTH_CHECK, useValue: deps.health },
      AuthGuard,
      ...(deps.engine ? [{ provide: RenkeiClient, useValue: deps.engine.client }] : []),
    ];
    return {
      module: CpsDependenciesModule,
      global: true,
      providers,
      exports: providers.map((p) => (typeof p === 'function' ? p : p.provide)),
    };
  }
}

/** The feature modules of a service with an identity: inputs (the twin), scenarios, runs, derived results. */
function engineModules(engine: CpsEngine): NonNullable<ModuleMetadata['imports']> {
  const inputs = InputsModule.register(engine.inputs);
  const runs = RunsModule.register(inputs, engine.logger);
  return [inputs, ScenariosModule, runs, DerivedModule.register(inputs, runs)];
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
      imports: [
        CpsDependenciesModule.register(deps),
        ...(deps.engine ? engineModules(deps.engine) : []),
        HealthModule,
      ],
      controllers: [CpsSimController],
    };
  }
}
