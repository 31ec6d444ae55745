export const PRISMA = Symbol('PRISMA');
export const OUTBOX = Symbol('OUTBOX');
export const STATE = Symbol('STATE');
/** Waits until the projection holds every registry event appended before the call. */
export const SYNC = Symbol('SYNC');
export const POLICY = Symbol('POLICY');
export const ISSUER = Symbol('ISSUER');
export const SETTINGS = Symbol('SETTINGS');
