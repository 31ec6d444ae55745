import { Module, type DynamicModule } from '@nestjs/common';
import type { PlatformProjection } from '@renkei/domain';
import { PlatformEventsController, PROJECTION } from './platform-events.controller.js';

/** The exchange's platform-event handlers; main.ts connects the PlatformEventServer that calls them. */
@Module({})
export class PlatformEventsModule {
  static register(deps: { state: PlatformProjection }): DynamicModule {
    return {
      module: PlatformEventsModule,
      controllers: [PlatformEventsController],
      providers: [{ provide: PROJECTION, useValue: deps.state }],
    };
  }
}
