export const PRISMA = Symbol('PRISMA');
export const OUTBOX = Symbol('OUTBOX');
export const LOGGER = Symbol('LOGGER');
