import type { Logger } from 'pino';
import { isDependencyFailure } from './dependency-errors.js';

/**
 * No unhandled rejection or exception from kafkajs, Prisma or pg ends the process: such an error means a
 * dependency is away, every caller already answers 503 for it, and the supervised clients reconnect by
 * themselves. It is logged and the process goes on. Anything else is a bug that may have left the process
 * in an unknown state: it is logged as fatal with a clear line and the process exits with status 1, for
 * the runtime (docker restart policy, systemd, Kubernetes) to restart it — see docs/operations.md.
 */
export function guardProcess(
  logger: Logger,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  const handle = (origin: 'unhandledRejection' | 'uncaughtException') => (error: unknown) => {
    if (isDependencyFailure(error)) {
      logger.error({ err: error, origin }, 'a dependency failed outside any request; the process carries on');
      return;
    }
    logger.fatal(
      { err: error, origin },
      `fatal: ${origin}; exiting with status 1 so the supervisor restarts the service`,
    );
    exit(1);
  };
  process.on('unhandledRejection', handle('unhandledRejection'));
  process.on('uncaughtException', handle('uncaughtException'));
}

/**
 * Retries `start` with capped exponential backoff until it succeeds or the process stops: a service
 * listens at once and its Kafka clients come up whenever the broker does.
 */
export async function keepTrying(
  what: string,
  start: () => Promise<void>,
  logger: Logger,
  options: { initialMs?: number; maxMs?: number; stopped?: () => boolean } = {},
): Promise<boolean> {
  let delay = options.initialMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    if (options.stopped?.()) return false;
    try {
      await start();
      if (attempt > 1) logger.info({ attempt }, `${what} started`);
      return true;
    } catch (error) {
      logger.warn({ err: error, attempt, retryInMs: delay }, `${what} could not start; retrying`);
      // Not unref'd: a start awaited before anything else holds the event loop (e.g. the signing-key ring
      // while the database is away) would otherwise let Node end the process with exit code 13 ("unsettled
      // top-level await") instead of retrying. Shutdown exits explicitly, so a pending retry never holds it.
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, options.maxMs ?? 5_000);
    }
  }
}
