export {
  asJson,
  createPrisma,
  type DeletionObligationModel,
  type GrantModel,
  Prisma,
  PrismaClient,
} from './prisma.js';
export { type OnDeadLetter, PrismaOutboxStore } from './outbox-store.js';
export { escapeLike } from './like.js';
export { useDatabase } from './database-runtime.js';
