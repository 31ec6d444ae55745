export {
  baseConfigSchema,
  kafkaSecurityFields,
  kafkaSecuritySchema,
  type KafkaSecurityConfig,
  type ConfigIssue,
  configIssues,
  invalidConfiguration,
  loadConfig,
  productionIssues,
  shutdownConfigSchema,
  type ShutdownSettings,
} from './config.js';
export {
  httpsOptions,
  servedScheme,
  tlsConfigSchema,
  tlsIssues,
  trustCaFile,
  type TlsSettings,
} from './tls.js';
export { createLogger, routeProcessWarnings } from './logger.js';
export {
  ApiExample,
  ApiZodBody,
  ApiZodQuery,
  DATASET_PARAM_SCHEMA,
  DatasetPipe,
  IdPipe,
  parseOrThrow,
  TextParamPipe,
  textParamSchema,
  UuidPipe,
  VERSION_PARAM_SCHEMA,
  VersionPipe,
  ZodPipe,
} from './zod.js';
export { EDGE_PROBLEMS, operationsOf, PROBLEM_MEDIA_TYPE, Problems, Responds } from './openapi.js';
export { createHttpApp, openApiDocument, type ServiceDescription } from './bootstrap.js';
export { HEALTH_CHECK, type HealthCheck, HealthController } from './health.controller.js';
export { listenAndServe } from './service.js';
export { noteRefusal, refusalRecorder } from './refusal-audit.js';
export { problemOf, type Problem } from './problem.filter.js';
export { keepStreamOpen } from './edge/http-limits.js';
export { edgeConfigSchema } from './edge/edge.config.js';
export { RateLimited } from './edge/rate-limit.js';
export { DependencyDeadlineInterceptor } from './resilience/deadline.interceptor.js';
export { DeadlineExceeded, withDeadline } from './resilience/deadline.js';
export { guardProcess, keepTrying } from './resilience/process-guards.js';
export { DATABASE_PROBE_TIMEOUT_MS, healthOf, Readiness } from './resilience/readiness.js';
export { HealthModule } from './health.module.js';
export {
  loadServiceConfig,
  runService,
  ShutdownSteps,
  type CloseStep,
  type ListenSettings,
  type ServiceRuntime,
  type ServiceSpec,
} from './run-service.js';
export {
  collectedGauge,
  HTTP_BUCKETS,
  routeLabel,
  sharedCounter,
  sharedHistogram,
  statusClass,
  type GaugeReading,
} from './metrics.js';
export {
  collectedSpans,
  contextFrom,
  currentTraceparent,
  recordSpan,
  inSpan,
  resetCollectedSpans,
  startTracing,
  traceFields,
  tracingEnabled,
} from './tracing.js';
export { observeDecision } from './decision-metrics.js';
