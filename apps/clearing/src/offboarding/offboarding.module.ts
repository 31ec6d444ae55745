import { Module } from '@nestjs/common';
import { GrantsModule } from '../grants/grants.module.js';
import { OffboardingController, OffboardingListener } from './offboarding.controller.js';
import { OffboardingService } from './offboarding.service.js';

/**
 * Offboarding, clearing's part: the impact preview, and revoking a participant's grants when the registry
 * offboards it (through the grants' guarded transition, so it imports grants).
 */
@Module({
  imports: [GrantsModule],
  controllers: [OffboardingController, OffboardingListener],
  providers: [OffboardingService],
})
export class OffboardingModule {}
