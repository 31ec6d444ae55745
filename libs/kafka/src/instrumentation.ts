import { SpanKind } from '@opentelemetry/api';
import type { Counter, Histogram } from 'prom-client';
import type {
  Consumer,
  ConsumerRunConfig,
  EachBatchHandler,
  EachMessageHandler,
  IHeaders,
  Message,
  Producer,
} from 'kafkajs';
import {
  collectedGauge,
  contextFrom,
  currentTraceparent,
  inSpan,
  sharedCounter,
  sharedHistogram,
  tracingEnabled,
} from '@renkei/platform';

/**
 * Kafka's share of the metrics and traces (docs/operations.md, "Metrics and traces"): every producer and
 * consumer made by createKafka() is instrumented here, so no call site has to remember.
 *
 * Label cardinality: topics are labelled by their family (`data`, `dlq`, `registry.events`,
 * `audit.decisions`, ...), never by their name: a data topic is named after its dataset, and datasets are
 * created by participants, so a per-topic label would grow with the consortium. A bounded set of families
 * tells an operator which flow is slow; the per-dataset view is Kafka's own (kafka-consumer-groups).
 */

const PLATFORM_TOPICS = new Set([
  'registry.events',
  'clearing.events',
  'audit.decisions',
  'audit.refusals',
  'audit.checkpoints',
  'exchange.positions',
]);

/** topic -> family, worked out once per topic (the hot paths look it up per batch). */
const families = new Map<string, string>();
/** Beyond this many distinct topics the cache starts over (it only saves work; a miss costs a few string ops). */
const FAMILY_CACHE_MAX = 10_000;

/** The bounded label for a topic: its family without the deployment prefix and the dataset. */
export function topicFamily(topic: string): string {
  const known = families.get(topic);
  if (known !== undefined) return known;
  const prefix = `${process.env.TOPIC_PREFIX ?? 'renkei'}.`;
  const rest = topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
  const family = rest.startsWith('data.')
    ? 'data'
    : rest.startsWith('dlq.')
      ? 'dlq'
      : PLATFORM_TOPICS.has(rest)
        ? rest
        : 'other';
  if (families.size >= FAMILY_CACHE_MAX) families.clear();
  families.set(topic, family);
  return family;
}

/** Seconds: a produce is acknowledged (acks=all) in milliseconds; the slowest buckets show a broker failing over. */
const PRODUCE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Seconds from the broker's timestamp to the handler: delivery latency as a consumer sees it. */
const CONSUME_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The metric objects, looked up once (created on first use, so a process without Kafka has none). */
let metrics:
  | {
      produce: Histogram<'topic'>;
      produceErrors: Counter<'topic'>;
      consume: Histogram<'topic'>;
    }
  | undefined;
const kafkaMetrics = () =>
  (metrics ??= {
    produce: produceDuration(),
    produceErrors: produceErrors(),
    consume: consumeLatency(),
  });

const produceDuration = () =>
  sharedHistogram(
    'renkei_kafka_produce_duration_seconds',
    'Time from a produce request to its acknowledgement, by topic family',
    ['topic'],
    PRODUCE_BUCKETS,
  );
const produceErrors = () =>
  sharedCounter('renkei_kafka_produce_errors_total', 'Produce requests Kafka refused or never answered', [
    'topic',
  ]);
const consumeLatency = () =>
  sharedHistogram(
    'renkei_kafka_consume_latency_seconds',
    'Time from a message being written (broker timestamp) to its consumer handling it, by topic family',
    ['topic'],
    CONSUME_BUCKETS,
  );

/** (consumer group, topic, partition) -> the lag kafkajs reported after its last batch, and when. */
const lags = new Map<string, { topic: string; partition: number; lag: number; at: number }>();
/** A consumer silent this long (stopped, its feed closed) no longer counts. */
const LAG_STALE_MS = 5 * 60_000;

function registerLagGauge(): void {
  collectedGauge(
    'renkei_kafka_consumer_lag',
    'Messages behind the end of the topic, by topic family (per partition the largest of its consumers, summed)',
    ['topic'],
    () => {
      const now = Date.now();
      const perPartition = new Map<string, { family: string; lag: number }>();
      for (const [key, entry] of lags) {
        if (now - entry.at > LAG_STALE_MS) {
          lags.delete(key);
          continue;
        }
        const at = `${entry.topic}:${entry.partition}`;
        const seen = perPartition.get(at);
        if (!seen || seen.lag < entry.lag)
          perPartition.set(at, { family: topicFamily(entry.topic), lag: entry.lag });
      }
      const byFamily = new Map<string, number>();
      for (const { family, lag } of perPartition.values())
        byFamily.set(family, (byFamily.get(family) ?? 0) + lag);
      return [...byFamily].map(([topic, value]) => ({ labels: { topic }, value }));
    },
    0,
  );
}

function headerText(value: IHeaders[string]): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** The W3C trace context a message carries (`traceparent` header), as text. */
export function traceparentOf(headers: IHeaders | undefined): string | undefined {
  return headers ? headerText(headers.traceparent) : undefined;
}

/**
 * Writes the active trace context into each message that has none (`traceparent` header). Off, or with no
 * active span, nothing is touched. A message given its own context (a publication stamped in its request)
 * keeps it: a produce request may combine the messages of several requests.
 */
export function stampTraceContext(messages: Message[]): void {
  if (!tracingEnabled()) return;
  const traceparent = currentTraceparent();
  if (!traceparent) return;
  for (const m of messages) {
    if (m.headers?.traceparent !== undefined) continue;
    m.headers = { ...m.headers, traceparent };
  }
}

async function timed<T>(families: string[], send: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await send();
    const seconds = (performance.now() - started) / 1000;
    const { produce } = kafkaMetrics();
    for (const topic of families) produce.observe({ topic }, seconds);
    return result;
  } catch (error) {
    const { produceErrors: errors } = kafkaMetrics();
    for (const topic of families) errors.inc({ topic });
    throw error;
  }
}

/** Times every send and stamps the trace context; the producer is otherwise untouched. */
export function instrumentProducer<P extends Pick<Producer, 'send' | 'sendBatch'>>(producer: P): P {
  const send = producer.send.bind(producer);
  const sendBatch = producer.sendBatch.bind(producer);
  producer.send = (record) => {
    stampTraceContext(record.messages);
    return timed([topicFamily(record.topic)], () => send(record));
  };
  producer.sendBatch = (batch) => {
    const families = new Set<string>();
    for (const { topic, messages } of batch.topicMessages ?? []) {
      families.add(topicFamily(topic));
      stampTraceContext(messages);
    }
    return timed([...families], () => sendBatch(batch));
  };
  return producer;
}

function observeLatency(topic: string, timestamp: string, now: number): void {
  const written = Number(timestamp);
  if (Number.isFinite(written) && written > 0)
    kafkaMetrics().consume.observe({ topic: topicFamily(topic) }, Math.max(0, now - written) / 1000);
}

function wrapEachMessage(handler: EachMessageHandler): EachMessageHandler {
  return (payload) => {
    observeLatency(payload.topic, payload.message.timestamp, Date.now());
    const traceparent = tracingEnabled() ? traceparentOf(payload.message.headers) : undefined;
    // Only a message that carries a trace gets a span: platform events without one would each start a trace.
    if (!traceparent) return handler(payload);
    return inSpan(`kafka.consume ${topicFamily(payload.topic)}`, () => handler(payload), {
      parent: contextFrom(traceparent),
      kind: SpanKind.CONSUMER,
      attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topicFamily(payload.topic) },
    });
  };
}

function wrapEachBatch(handler: EachBatchHandler): EachBatchHandler {
  return (payload) => {
    const now = Date.now();
    // One label lookup per batch; per message only the observation itself.
    const latency = kafkaMetrics().consume.labels({ topic: topicFamily(payload.batch.topic) });
    for (const m of payload.batch.messages) {
      const written = Number(m.timestamp);
      if (written > 0) latency.observe(Math.max(0, now - written) / 1000);
    }
    // A batch's messages may belong to many traces: the handler opens spans per message if it wants them
    // (the exchange's delivery does, from each message's traceparent).
    return handler(payload);
  };
}

/** Observes consume latency and lag for every handler the consumer runs; traces eachMessage handlers. */
export function instrumentConsumer(consumer: Consumer, groupId: string): Consumer {
  registerLagGauge();
  const run = consumer.run.bind(consumer);
  consumer.run = (config?: ConsumerRunConfig) =>
    run({
      ...config,
      ...(config?.eachMessage ? { eachMessage: wrapEachMessage(config.eachMessage) } : {}),
      ...(config?.eachBatch ? { eachBatch: wrapEachBatch(config.eachBatch) } : {}),
    });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    lags.set(`${groupId}|${payload.topic}|${payload.partition}`, {
      topic: payload.topic,
      partition: payload.partition,
      lag: Number(payload.offsetLag),
      at: Date.now(),
    });
  });
  // A consumer that leaves no longer lags: its entries go at once (a feed's group is gone for good).
  consumer.on(consumer.events.STOP, () => {
    for (const key of lags.keys()) if (key.startsWith(`${groupId}|`)) lags.delete(key);
  });
  return consumer;
}
