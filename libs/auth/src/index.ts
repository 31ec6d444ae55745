export * from './signing-keys.js';
export * from './key-ring.js';
export * from './tokens.js';
export * from './client-assertion.js';
export * from './auth.guard.js';
export * from './critical-headers.js';
