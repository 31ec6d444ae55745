import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiExample } from './zod.js';
import { withDeadline } from './resilience/deadline.js';

export const HEALTH_CHECK = Symbol('HEALTH_CHECK');
/** 'not-configured': an optional part the operator has not set up (not a reason to be out of rotation). */
export type HealthState = 'up' | 'down' | 'starting' | 'not-configured';
export type HealthCheck = () => Promise<Record<string, HealthState>>;

/**
 * Liveness (`/health/live`: the process serves HTTP; restart it if this fails) apart from readiness
 * (`/health/ready`: every dependency is up; take it out of rotation while this is 503 — it comes back by
 * itself). `/health` is readiness, as existing clients and probes expect a 200 only when all is well.
 * Neither ever waits on a dependency: the check reads states kept by probes, bounded by a deadline.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CHECK) private readonly check: HealthCheck) {}

  @Get()
  @ApiOperation({ summary: 'Readiness (alias of /health/ready): 200 when every dependency is up, else 503' })
  @ApiExample(200, 'Every dependency is up', { status: 'up', checks: { database: 'up' } })
  health(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.ready(reply);
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process serves requests (dependencies are not consulted)' })
  @ApiExample(200, 'The process is alive', { status: 'up' })
  live() {
    return { status: 'up' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: 200 when every dependency is up; 503 with Retry-After while one is not',
  })
  @ApiExample(200, 'Every dependency is up', { status: 'up', checks: { database: 'up', kafka: 'up' } })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const checks = await withDeadline(this.check(), 1_000, 'health check').catch(
      (): Record<string, HealthState> => ({ health: 'down' }),
    );
    const up = Object.values(checks).every((s) => s === 'up' || s === 'not-configured');
    if (!up) void reply.status(503).header('retry-after', '1');
    return { status: up ? 'up' : 'down', checks };
  }
}
