import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';

export { Prisma, PrismaClient } from './generated/prisma/client.js';
export type * from './generated/prisma/models.js';

/** Prisma over node-postgres (driver adapter): no native query engine is needed. */
export function createPrisma(databaseUrl: string, options: { max?: number } = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.max ?? 10 });
  return new PrismaClient({ adapter });
}

/** Domain records are plain JSON by construction; this states it once instead of casting at every write. */
export function asJson(value: unknown): import('./generated/prisma/client.js').Prisma.InputJsonValue {
  return value as import('./generated/prisma/client.js').Prisma.InputJsonValue;
}
