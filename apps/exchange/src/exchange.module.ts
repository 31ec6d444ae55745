import { Module, type DynamicModule } from '@nestjs/common';
import { AuthGuard, TOKEN_VERIFIER, type TokenVerifier } from '#libs/auth';
import { HEALTH_CHECK, HealthController, type HealthCheck } from '#libs/platform';
import type { ExchangeRuntime } from './exchange-runtime.js';
import { EXCHANGE, PSEUDONYM_SECRET } from './exchange.tokens.js';
import { PlatformEventsModule } from './platform-events/platform-events.module.js';
import { PublishController } from './publish/publish.controller.js';
import { PublishService } from './publish/publish.service.js';
import { SubscribeController } from './subscribe/subscribe.controller.js';
import { SubscribeService } from './subscribe/subscribe.service.js';

export interface ExchangeDeps {
  runtime: ExchangeRuntime;
  verifier: TokenVerifier;
  pseudonymSecret: string;
  health: HealthCheck;
}

@Module({})
export class ExchangeModule {
  static register(deps: ExchangeDeps): DynamicModule {
    return {
      module: ExchangeModule,
      imports: [PlatformEventsModule.register({ state: deps.runtime.state })], // ADR 0021
      controllers: [PublishController, SubscribeController, HealthController],
      providers: [
        { provide: EXCHANGE, useValue: deps.runtime },
        { provide: TOKEN_VERIFIER, useValue: deps.verifier },
        { provide: PSEUDONYM_SECRET, useValue: deps.pseudonymSecret },
        { provide: HEALTH_CHECK, useValue: deps.health },
        AuthGuard,
        PublishService,
        SubscribeService,
      ],
    };
  }
}
