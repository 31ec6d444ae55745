import { connect } from 'node:net';
import type { Admin, Kafka } from 'kafkajs';

/**
 * A dead broker refuses connections at once, so the probe can be lenient with a slow answer: a busy
 * broker (or a busy host) is not reported down.
 */
export const KAFKA_PROBE_TIMEOUT_MS = 1_000;
/** Slow answers in a row before Kafka counts as down (a refusal counts at once). */
export const KAFKA_PROBE_TIMEOUTS_BEFORE_DOWN = 2;

/** Resolves if some broker accepts a TCP connection; rejects at once when every one refuses. */
function anyBrokerListening(brokers: string[], timeoutMs: number): Promise<void> {
  const attempts = brokers.map(
    (broker) =>
      new Promise<void>((resolve, reject) => {
        const at = broker.lastIndexOf(':');
        const socket = connect(Number(broker.slice(at + 1)), broker.slice(0, at));
        socket.setTimeout(timeoutMs, () => {
          socket.destroy();
          reject(new Error(`${broker}: no answer`));
        });
        socket.once('connect', () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', (error) => {
          socket.destroy();
          reject(error);
        });
      }),
  );
  return Promise.any(attempts).catch((error: AggregateError) => {
    throw error.errors[0] as Error;
  });
}

/**
 * A readiness probe for Kafka: a broker that refuses connections is down at once (kafkajs would retry it
 * quietly); otherwise the leader of `topic` is asked for its offsets (a real round trip, not cached
 * metadata) through one long-lived admin client that reconnects after a failure.
 */
export function kafkaProbe(
  kafka: Kafka,
  brokers: string[],
  topic: () => string,
): { probe: () => Promise<void>; stop: () => Promise<void> } {
  // No retries: a refused connection is an answer (the broker is away), reported at once.
  const admin: Admin = kafka.admin({ retry: { retries: 0 } });
  let connected: Promise<void> | undefined;
  return {
    probe: async () => {
      await anyBrokerListening(brokers, 500);
      connected ??= admin.connect().catch((error: unknown) => {
        connected = undefined;
        throw error;
      });
      await connected;
      await admin.fetchTopicOffsets(topic());
    },
    stop: () => admin.disconnect().catch(() => undefined),
  };
}
