export * from './kafka-client.js';
export * from './outbox-relay.js';
export * from './event-consumer.js';
export * from './refusal-sink.js';
export * from './outbox-parking.js';
export * from './supervised-consumer.js';
export * from './kafka-probe.js';
export { useKafka, startOutbox, sendRefusalsToKafka, type KafkaUse } from './kafka-runtime.js';
export * from './renewing-producer.js';
