export {
  createKafka,
  ensurePlatformTopics,
  ensureTopics,
  platformTopics,
  withTopicSettings,
} from './kafka-client.js';
export {
  aclEntries,
  KAFKA_SERVICE_PRINCIPALS,
  platformAccessRules,
  provisionKafka,
  type AccessRule,
  type KafkaServicePrincipal,
} from './kafka-acls.js';
export { kafkaConnection, kafkaConnectionFromEnv, type KafkaConnection } from './kafka-security.js';
export { singleBrokerTopics, topicSettingsFrom, type TopicSettings } from './topic-settings.js';
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
export { useKafka, startOutbox, sendRefusalsToKafka, type KafkaUse } from './kafka-runtime.js';
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
export {
  instrumentConsumer,
  instrumentProducer,
  stampTraceContext,
  topicFamily,
  traceparentOf,
} from './instrumentation.js';
