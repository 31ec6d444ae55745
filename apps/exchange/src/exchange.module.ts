import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule } from '@renkei/platform';
import { PlatformModule, type ExchangeDeps } from './platform/platform.module.js';
import { PlatformEventsModule } from './platform-events/platform-events.module.js';
import { PublishModule } from './publish/publish.module.js';
import { SubscribeModule } from './subscribe/subscribe.module.js';

export { ExchangeSettings, type ExchangeDeps } from './platform/platform.module.js';

/** The exchange: publish and subscribe, over what PlatformModule is given at start. */
@Module({})
export class ExchangeModule {
  static register(deps: ExchangeDeps): DynamicModule {
    return {
      module: ExchangeModule,
      // Health last: the OpenAPI document lists routes in module order.
      imports: [
        PlatformModule.register(deps),
        PlatformEventsModule.register({ state: deps.state }), // ADR 0021
        PublishModule,
        SubscribeModule,
        HealthModule,
      ],
    };
  }
}
