import { Module, type DynamicModule } from '@nestjs/common';
import { HealthController } from '#libs/platform';
import { PlatformModule, type ExchangeDeps } from './platform/platform.module.js';
import { PublishModule } from './publish/publish.module.js';
import { SubscribeModule } from './subscribe/subscribe.module.js';

export { ExchangeSettings, type ExchangeDeps } from './platform/platform.module.js';

/** GET /health (readiness from main.ts's HEALTH_CHECK); last, so the documents list it after the data routes. */
@Module({ controllers: [HealthController] })
class HealthModule {}

/** The exchange: publish and subscribe, over what PlatformModule is given at start. */
@Module({})
export class ExchangeModule {
  static register(deps: ExchangeDeps): DynamicModule {
    return {
      module: ExchangeModule,
      imports: [PlatformModule.register(deps), PublishModule, SubscribeModule, HealthModule],
    };
  }
}
