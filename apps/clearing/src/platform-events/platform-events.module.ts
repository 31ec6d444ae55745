import { Module, type DynamicModule } from '@nestjs/common';
import type { PlatformProjection } from '@renkei/domain';
import type { PrismaClient } from '@renkei/persistence';
import { AUDIT_DATABASE, PlatformEventsController, PROJECTION } from './platform-events.controller.js';

/** Clearing's platform-event handlers; main.ts connects the PlatformEventServer that calls them. */
@Module({})
export class PlatformEventsModule {
  static register(deps: { state: PlatformProjection; prisma: PrismaClient }): DynamicModule {
    return {
      module: PlatformEventsModule,
      controllers: [PlatformEventsController],
      providers: [
        { provide: PROJECTION, useValue: deps.state },
        { provide: AUDIT_DATABASE, useValue: deps.prisma },
      ],
    };
  }
}
