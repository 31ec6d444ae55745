import { Module } from '@nestjs/common';
import { GrantAccess } from './grant-access.js';
import { GrantTransitionHooks } from './grant-transitions.js';
import { GrantsController } from './grants.controller.js';
import { GrantsService } from './grants.service.js';

/**
 * Grants between companies: requests, the guarded state machine and its events. Exports the party check
 * (dataset tokens name a grant too) and the service (the deadline sweep expires grants through it).
 */
@Module({
  controllers: [GrantsController],
  providers: [GrantAccess, GrantsService, GrantTransitionHooks],
  exports: [GrantAccess, GrantsService, GrantTransitionHooks],
})
export class GrantsModule {}
