export { createKafka, ensurePlatformTopics, ensureTopics } from './kafka-client.js';
export {
  type DeadLetter,
  type OutboxOutcome,
  OutboxRelay,
  type OutboxRow,
  type OutboxStore,
} from './outbox-relay.js';
export { EventConsumer } from './event-consumer.js';
export { kafkaRefusalSink } from './refusal-sink.js';
export { deadLetterNotice } from './outbox-parking.js';
export { SupervisedConsumer, type SupervisedState } from './supervised-consumer.js';
export { KAFKA_PROBE_TIMEOUT_MS, KAFKA_PROBE_TIMEOUTS_BEFORE_DOWN, kafkaProbe } from './kafka-probe.js';
export { renewingProducer } from './renewing-producer.js';
