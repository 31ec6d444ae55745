import { DATABASE_PROBE_TIMEOUT_MS, type ServiceRuntime } from '@renkei/platform';
import { createPrisma, type PrismaClient } from './prisma.js';

/**
 * A service's database client: connection errors are logged (a restarted server drops idle connections),
 * readiness probes it as 'database' with a deadline from the start, and it is disconnected at shutdown,
 * after everything opened later that may still write.
 */
export function useDatabase(runtime: ServiceRuntime<{ DATABASE_URL: string }>): PrismaClient {
  const { config, logger, readiness } = runtime;
  const prisma = createPrisma(config.DATABASE_URL, {
    onError: (error) => logger.warn({ err: error }, 'database connection error'),
  });
  readiness.probe('database', () => prisma.$queryRaw`SELECT 1`, { timeoutMs: DATABASE_PROBE_TIMEOUT_MS });
  runtime.onClose(() => prisma.$disconnect());
  return prisma;
}
