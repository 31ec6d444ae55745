import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config.js';
import { edgeConfigSchema, type EdgeSettings } from './edge.config.js';
import { installCleanRefusalOfLargeBodies, installUrlLimit } from './http-limits.js';
import { installInputRules } from './input-rules.js';
import { createRateLimiters, RateLimitInterceptor } from './rate-limit.js';
import { installSecurityHeaders } from './security-headers.js';

export * from './edge.config.js';
export * from './framework-errors.js';
export { edgeServerOptions, keepStreamOpen } from './http-limits.js';
export { CONTROL_CHARACTER, controlCharacterIn, scanBody, scanUrlAndHeaders } from './input-rules.js';
export { RATE_LIMIT_EXCEEDED, RATE_LIMITED, RateLimited, rateLimitClassOf } from './rate-limit.js';

/** The edge settings from the environment (fails at boot, naming every wrong variable). */
export function loadEdgeSettings(env: NodeJS.ProcessEnv = process.env): EdgeSettings {
  return loadConfig(edgeConfigSchema, env);
}

/**
 * Everything the HTTP edge enforces on every service, installed by createHttpApp before the routes are:
 * URL length, the control-character rule, security headers, clean 413s and per-participant rate limits.
 * (Timeouts and size limits are server options: {@link edgeServerOptions}.)
 */
export async function installEdge(
  app: NestFastifyApplication,
  settings: EdgeSettings,
  bodyLimit: number,
): Promise<void> {
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  // First, so that every refusal below carries the security headers too.
  await installSecurityHeaders(fastify);
  installUrlLimit(fastify, settings);
  installInputRules(fastify);
  installCleanRefusalOfLargeBodies(fastify, bodyLimit);
  app.useGlobalInterceptors(new RateLimitInterceptor(await createRateLimiters(fastify, settings)));
}
