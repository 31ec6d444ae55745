import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';

export { Prisma, PrismaClient } from './generated/prisma/client.js';
export type * from './generated/prisma/models.js';

export interface PrismaOptions {
  max?: number;
  /** A connection (or a free slot in the pool) not obtained within this time fails: a stalled server is not waited for. */
  connectTimeoutMs?: number;
  /** Client-side: a query without an answer within this time fails, even if the server is stopped. */
  queryTimeoutMs?: number;
  /** Server-side: PostgreSQL cancels a statement running longer than this. */
  statementTimeoutMs?: number;
  /** Told about connection-level errors (a restarted server drops its idle connections); logged by the caller. */
  onError?: (error: Error) => void;
}

const envMs = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

/**
 * Prisma over node-postgres (driver adapter): no native query engine is needed. Every call has a deadline
 * (see docs/operations.md): connecting, waiting for a pooled connection, and each query. Requests do not
 * wait that long while the database is known to be down (the request deadline answers 503 first); these
 * bound the work behind them and the background loops. DB_CONNECT_TIMEOUT_MS, DB_QUERY_TIMEOUT_MS and
 * DB_STATEMENT_TIMEOUT_MS override the defaults.
 */
export function createPrisma(databaseUrl: string, options: PrismaOptions = {}): PrismaClient {
  const queryTimeout = options.queryTimeoutMs ?? envMs('DB_QUERY_TIMEOUT_MS', 10_000);
  const adapter = new PrismaPg(
    {
      connectionString: databaseUrl,
      max: options.max ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? envMs('DB_CONNECT_TIMEOUT_MS', 1_500),
      query_timeout: queryTimeout,
      statement_timeout: options.statementTimeoutMs ?? envMs('DB_STATEMENT_TIMEOUT_MS', queryTimeout),
      // A half-open TCP connection to a vanished server is noticed instead of held forever.
      keepAlive: true,
      keepAliveInitialDelayMillis: 5_000,
    },
    {
      onPoolError: (error) => options.onError?.(error),
      onConnectionError: (error) => options.onError?.(error),
    },
  );
  return new PrismaClient({ adapter });
}

/** Domain records are plain JSON by construction; this states it once instead of casting at every write. */
export function asJson(value: unknown): import('./generated/prisma/client.js').Prisma.InputJsonValue {
  return value as import('./generated/prisma/client.js').Prisma.InputJsonValue;
}
