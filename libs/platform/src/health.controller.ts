import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';

export const HEALTH_CHECK = Symbol('HEALTH_CHECK');
export type HealthCheck = () => Promise<Record<string, 'up' | 'down'>>;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CHECK) private readonly check: HealthCheck) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and dependencies (database, Kafka)' })
  async health() {
    const checks = await this.check();
    return { status: Object.values(checks).every((s) => s === 'up') ? 'up' : 'degraded', checks };
  }
}
