/**
 * How the platform creates its topics: replication, the in-sync minimum for acks=all writes, and
 * retention per topic family. From configuration (KAFKA_* in @renkei/platform's base config, validated at
 * boot); the defaults are one broker's (RF 1), as before. See docs/decisions/0032.
 */
export interface TopicSettings {
  replicationFactor: number;
  minInsyncReplicas: number;
  /** retention.ms per topic family; -1 keeps forever. */
  retentionMs: {
    /** Datasets' data topics. */
    data: number;
    /** Datasets' dead-letter topics. */
    deadLetters: number;
    /** audit.decisions and audit.refusals: read onto clearing's chain, then no longer needed. */
    audit: number;
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const singleBrokerTopics: TopicSettings = {
  replicationFactor: 1,
  minInsyncReplicas: 1,
  retentionMs: {
    // Kept forever: the CPS twin replays each input from the start of its data topic (historyFrom 'all',
    // after 'start') whenever it starts, its journal living in memory; a grant may ask for all history.
    // A finite retention would silently rebuild a different twin. Was the broker default (7 days).
    data: -1,
    deadLetters: 30 * DAY_MS,
    audit: 30 * DAY_MS,
  },
};

/** The settings from a validated configuration (see baseConfigSchema). */
export function topicSettingsFrom(config: {
  KAFKA_REPLICATION_FACTOR: number;
  KAFKA_MIN_INSYNC_REPLICAS: number;
  KAFKA_DATA_RETENTION_MS: number;
  KAFKA_DEAD_LETTER_RETENTION_MS: number;
  KAFKA_AUDIT_RETENTION_MS: number;
}): TopicSettings {
  return {
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS,
    retentionMs: {
      data: config.KAFKA_DATA_RETENTION_MS,
      deadLetters: config.KAFKA_DEAD_LETTER_RETENTION_MS,
      audit: config.KAFKA_AUDIT_RETENTION_MS,
    },
  };
}
