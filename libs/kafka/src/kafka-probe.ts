import type { Admin, Kafka } from 'kafkajs';

/**
 * A readiness probe for Kafka: asks the leader of `topic` for its offsets (a real round trip, not cached
 * metadata) through one long-lived admin client that reconnects after a failure.
 */
export function kafkaProbe(
  kafka: Kafka,
  topic: () => string,
): { probe: () => Promise<void>; stop: () => Promise<void> } {
  const admin: Admin = kafka.admin();
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
