export * from './config.js';
export * from './logger.js';
export * from './problem.filter.js';
export * from './zod.js';
export * from './bootstrap.js';
export * from './health.controller.js';
export * from './service.js';
export * from './resilience/index.js';
