export const PRISMA = Symbol('PRISMA');
export const OUTBOX = Symbol('OUTBOX');
export const STATE = Symbol('STATE');
export const POLICY = Symbol('POLICY');
export const ISSUER = Symbol('ISSUER');
export const SETTINGS = Symbol('SETTINGS');
