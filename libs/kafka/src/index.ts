export * from './kafka-client.js';
export * from './outbox-relay.js';
export * from './event-consumer.js';
export * from './supervised-consumer.js';
export * from './kafka-probe.js';
