export {
  asJson,
  createPrisma,
  type DeletionObligationModel,
  type DspCallbackModel,
  type DspNegotiationModel,
  type DspPeerModel,
  type DspTransferModel,
  type GrantModel,
  Prisma,
  PrismaClient,
} from './prisma.js';
export { type OnDeadLetter, PrismaOutboxStore } from './outbox-store.js';
export { escapeLike } from './like.js';
export { useDatabase } from './database-runtime.js';
