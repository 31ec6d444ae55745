import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiExample } from './zod.js';

export const HEALTH_CHECK = Symbol('HEALTH_CHECK');
export type HealthCheck = () => Promise<Record<string, 'up' | 'down'>>;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CHECK) private readonly check: HealthCheck) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and dependencies (database, Kafka)' })
  @ApiExample(200, 'Every dependency is up', { status: 'up', checks: { database: 'up' } })
  async health() {
    const checks = await this.check();
    return { status: Object.values(checks).every((s) => s === 'up') ? 'up' : 'degraded', checks };
  }
}
