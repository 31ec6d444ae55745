export * from './prisma.js';
export * from './outbox-store.js';
export * from './like.js';
