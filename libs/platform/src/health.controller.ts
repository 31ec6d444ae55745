import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Problems, Responds } from './openapi.js';
import { withDeadline } from './resilience/deadline.js';

const HealthState = z.enum(['up', 'down', 'starting', 'not-configured']);
const HealthSchema = z.object({ status: z.enum(['up']), checks: z.record(z.string(), HealthState) });
const LiveSchema = z.object({ status: z.enum(['up']) });

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
  @Responds(200, HealthSchema, {
    description: 'Every dependency is up',
    example: { status: 'up', checks: { database: 'up', kafka: 'up' } },
  })
  @Problems({ 503: ['DEPENDENCY.UNAVAILABLE'] })
  health(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.ready(reply);
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process serves requests (dependencies are not consulted)' })
  @Responds(200, LiveSchema, { description: 'The process is alive', example: { status: 'up' } })
  live() {
    return { status: 'up' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: 200 when every dependency is up; 503 with Retry-After while one is not',
  })
  @Responds(200, HealthSchema, {
    description: 'Every dependency is up',
    example: { status: 'up', checks: { database: 'up', kafka: 'up' } },
  })
  @Problems({ 503: ['DEPENDENCY.UNAVAILABLE'] })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const checks = await withDeadline(this.check(), 1_000, 'health check').catch(
      (): Record<string, HealthState> => ({ health: 'down' }),
    );
    const up = Object.values(checks).every((s) => s === 'up' || s === 'not-configured');
    if (up) return { status: 'up', checks };
    // Not ready: a problem+json like every other 503, with the state of each dependency as an extension.
    const down = Object.entries(checks)
      .filter(([, state]) => state !== 'up' && state !== 'not-configured')
      .map(([name, state]) => `${name} ${state}`);
    void reply.status(503).header('retry-after', '1').header('content-type', 'application/problem+json');
    return {
      type: 'urn:renkei:error:DEPENDENCY.UNAVAILABLE',
      title: 'DEPENDENCY.UNAVAILABLE',
      status: 503,
      code: 'DEPENDENCY.UNAVAILABLE',
      detail: `Not ready: ${down.join(', ')}`,
      hint: 'Retry after Retry-After seconds; the service comes back by itself when its dependencies do',
      instance: '/health/ready',
      checks,
    };
  }
}
