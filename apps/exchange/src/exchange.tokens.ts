export const EXCHANGE = Symbol('EXCHANGE');
export const PSEUDONYM_SECRET = Symbol('PSEUDONYM_SECRET');
