export * from './kafka-client.js';
export * from './outbox-relay.js';
export * from './event-consumer.js';
export * from './refusal-sink.js';
export * from './outbox-parking.js';
export * from './supervised-consumer.js';
export * from './kafka-probe.js';
export { useKafka, startOutbox, sendRefusalsToKafka, type KafkaUse } from './kafka-runtime.js';
export * from './renewing-producer.js';
export {
  checkMessage,
  decodeMessage,
  rejectMessage,
  type Decoded,
  type DecodeOptions,
  type MessagePosition,
} from './message-edge.js';
export { PlatformEventContext, PlatformEventServer } from './platform-event-server.js';
export { BatchIngest, type BatchIngestOptions } from './batch-ingest.js';
export {
  GroupedProducer,
  MAX_COMBINED_CHARS,
  MAX_QUEUED,
  MAX_QUEUED_CHARS,
  SEND_DEADLINE_MS,
  type GroupedProducerOptions,
  type Placement,
  type Publication,
} from './grouped-producer.js';
