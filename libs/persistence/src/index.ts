export * from './prisma.js';
export * from './outbox-store.js';
export { useDatabase } from './database-runtime.js';
export * from './like.js';
