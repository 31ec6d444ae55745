import { Module } from '@nestjs/common';
import { HEALTH_CHECK, HealthController } from '#libs/platform';

/**
 * The CPS simulation service: a participant like any other, bound by the same consents. The digital twin
 * and the simulations arrive with their own issue; this module already runs as its own process.
 */
@Module({
  controllers: [HealthController],
  providers: [{ provide: HEALTH_CHECK, useValue: () => Promise.resolve({ process: 'up' as const }) }],
})
export class CpsSimModule {}
