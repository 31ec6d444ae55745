export * from './config.js';
export * from './logger.js';
export * from './problem.filter.js';
export * from './zod.js';
export * from './openapi.js';
export * from './bootstrap.js';
export * from './health.controller.js';
export { HealthModule } from './health.module.js';
export * from './service.js';
export {
  runService,
  ShutdownSteps,
  type CloseStep,
  type ListenSettings,
  type ServiceRuntime,
  type ServiceSpec,
} from './run-service.js';
export * from './refusal-audit.js';
export * from './edge/index.js';
export * from './metrics.js';
export * from './resilience/index.js';
