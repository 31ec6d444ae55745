import { describe, expect, it } from 'vitest';
import { baseConfigSchema, loadConfig } from '@renkei/platform';
import { withTopicSettings } from './kafka-client.js';
import { singleBrokerTopics, topicSettingsFrom } from './topic-settings.js';

const env = { DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/renkei' };

describe('topic settings', () => {
  it("default to one broker's: RF 1, min.insync 1, data topics kept forever", () => {
    const settings = topicSettingsFrom(loadConfig(baseConfigSchema, env));
    expect(settings).toEqual(singleBrokerTopics);
    expect(settings.retentionMs.data).toBe(-1);
  });

  it('come from configuration', () => {
    const config = loadConfig(baseConfigSchema, {
      ...env,
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
      KAFKA_DATA_RETENTION_MS: '7776000000',
    });
    expect(topicSettingsFrom(config)).toMatchObject({
      replicationFactor: 3,
      minInsyncReplicas: 2,
      retentionMs: { data: 7_776_000_000 },
    });
  });

  it('stop the service at boot, naming the setting, when min.insync.replicas exceeds the replication factor', () => {
    expect(() =>
      loadConfig(baseConfigSchema, { ...env, KAFKA_REPLICATION_FACTOR: '2', KAFKA_MIN_INSYNC_REPLICAS: '3' }),
    ).toThrow(/KAFKA_MIN_INSYNC_REPLICAS: 3 exceeds KAFKA_REPLICATION_FACTOR \(2\)/);
  });

  it('refuse a retention that is neither forever nor at least an hour', () => {
    expect(() => loadConfig(baseConfigSchema, { ...env, KAFKA_DATA_RETENTION_MS: '90' })).toThrow(
      /KAFKA_DATA_RETENTION_MS: retention.ms/,
    );
    expect(() => loadConfig(baseConfigSchema, { ...env, KAFKA_REPLICATION_FACTOR: '0' })).toThrow(
      /KAFKA_REPLICATION_FACTOR/,
    );
  });

  it('apply to every topic created, keeping its own retention and compaction', () => {
    const settings = { ...singleBrokerTopics, replicationFactor: 3, minInsyncReplicas: 2 };
    const topic = withTopicSettings(
      { topic: 't', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      settings,
    );
    expect(topic.replicationFactor).toBe(3);
    expect(topic.configEntries).toEqual([
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'min.insync.replicas', value: '2' },
      { name: 'unclean.leader.election.enable', value: 'false' },
    ]);
  });
});
