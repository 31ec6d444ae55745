export * from './model.js';
export * from './random.js';
export * from './twin.js';
export * from './network.js';
export * from './disruption.js';
export * from './method-switch.js';
export * from './cfp.js';
export * from './hospital.js';
