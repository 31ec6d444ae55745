export * from './kafka-client.js';
export * from './outbox-relay.js';
export * from './event-consumer.js';
export * from './outbox-parking.js';
