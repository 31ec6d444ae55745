import type { Admin, Kafka } from 'kafkajs';

/**
 * A dead broker refuses connections at once, so the probe can be lenient with a slow answer: a busy
 * broker (or a busy host) is not reported down.
 */
export const KAFKA_PROBE_TIMEOUT_MS = 1_000;
/** Slow answers in a row before Kafka counts as down (a refusal counts at once). */
export const KAFKA_PROBE_TIMEOUTS_BEFORE_DOWN = 2;

/**
 * A readiness probe for Kafka: asks the leader of `topic` for its offsets (a real round trip, not cached
 * metadata) through one long-lived admin client that reconnects after a failure.
 */
export function kafkaProbe(
  kafka: Kafka,
  topic: () => string,
): { probe: () => Promise<void>; stop: () => Promise<void> } {
  // No retries: a refused connection is an answer (the broker is away), reported at once.
  const admin: Admin = kafka.admin({ retry: { retries: 0 } });
  let connected: Promise<void> | undefined;
  return {
    probe: async () => {
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
