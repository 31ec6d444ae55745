import { pino, type DestinationStream, type Logger } from 'pino';
import type { LoggerService } from '@nestjs/common';
import { traceFields } from './tracing.js';

/** Paths that may carry secrets; pino replaces them before anything is written. */
export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'client_assertion',
  '*.client_assertion',
  'access_token',
  '*.access_token',
  'token',
  '*.token',
  'privateKey',
  '*.privateKey',
  '*.d',
  'password',
  '*.password',
  'DATABASE_URL',
  '*.DATABASE_URL',
  'ADMIN_TOKEN',
  '*.ADMIN_TOKEN',
  'SIGNING_KEYS',
  '*.SIGNING_KEYS',
];

/** The service's logger (to stdout, or `destination`: tests). */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options = {
    name: service,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Each line written while a span is active carries its trace_id and span_id (nothing when tracing is off).
    mixin: traceFields,
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Nest's own messages go through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}

/**
 * Sends Node's process warnings to the service log. kafkajs 2.2.4 arms timers with negative delays on
 * Node ≥ 24 (TimeoutNegativeWarning, harmless: Node clamps them to 1 ms); those are dropped.
 */
export function routeProcessWarnings(logger: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    logger.warn({ warning: { name: warning.name, message: warning.message } }, 'process warning');
  });
}
