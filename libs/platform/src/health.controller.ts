import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Responds } from './openapi.js';

const HealthSchema = z.object({
  status: z.enum(['up', 'degraded']),
  checks: z.record(z.string(), z.enum(['up', 'down'])),
});

export const HEALTH_CHECK = Symbol('HEALTH_CHECK');
export type HealthCheck = () => Promise<Record<string, 'up' | 'down'>>;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CHECK) private readonly check: HealthCheck) {}

  @Get()
  @ApiOperation({ summary: 'Liveness and dependencies (database, Kafka)' })
  @Responds(200, HealthSchema, {
    description: "'up' when every dependency is up, else 'degraded'",
    example: { status: 'up', checks: { database: 'up' } },
  })
  async health() {
    const checks = await this.check();
    return { status: Object.values(checks).every((s) => s === 'up') ? 'up' : 'degraded', checks };
  }
}
