import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';

/**
 * /health, /health/live and /health/ready as a feature module, imported last so that its routes come
 * after the service's own in the OpenAPI document. The importing app provides HEALTH_CHECK globally.
 */
@Module({ controllers: [HealthController] })
export class HealthModule {}
