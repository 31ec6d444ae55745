/**
 * The local 3-node replicated Kafka (scripts/kafka-cluster.sh) for the reliability tests: started on its
 * own ports (19092-19094, controllers 19192-19194) and state directory, never the shared broker. Nodes
 * are signalled by their own pid only.
 */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaConnectionFromEnv } from '@renkei/kafka';
import { repoRoot } from './private-infra.js';

const script = join(repoRoot, 'scripts/kafka-cluster.sh');
const env = () => ({ ...process.env, RENKEI_STATE_DIR: join(repoRoot, '.renkei/reliability') });

/** What the platform is told about the cluster: replicated topics (ADR 0032). */
export const replicatedTopicEnv = { KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' };

export const kafkaCluster = {
  brokers: '127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094',
  /** Starts every node that is not running (bounded by the script: 120 s). */
  start(): void {
    execFileSync('bash', [script, 'start'], { env: env(), stdio: 'ignore', timeout: 240_000 });
  },
  /** Starts node n again (after a kill) without blocking the runner; resolves when it is ready. */
  restart(node: number): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile('bash', [script, 'start', String(node)], { env: env(), timeout: 240_000 }, (error) =>
        error ? reject(new Error(`node ${node} did not start: ${error.message}`)) : resolve(),
      );
    });
  },
  stop(): void {
    execFileSync('bash', [script, 'stop'], { env: env(), stdio: 'ignore', timeout: 120_000 });
  },
  pid(node: number): number {
    return Number(
      execFileSync('bash', [script, 'pid', String(node)], { env: env() })
        .toString()
        .trim(),
    );
  },
  /** SIGKILL: node n dies at once (a crash). Waits until it is gone. */
  async kill(node: number): Promise<void> {
    const pid = this.pid(node);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  },
  /** SIGSTOP: node n stops answering with its sockets open (a hung host, a network partition). */
  pause(node: number): void {
    process.kill(this.pid(node), 'SIGSTOP');
  },
  resume(node: number): void {
    process.kill(this.pid(node), 'SIGCONT');
  },
  /** An admin client; `avoid` leaves stopped nodes out of its bootstrap list (they would hang it). */
  admin(avoid: number[] = []) {
    return new Kafka({
      clientId: 'reliability-cluster',
      brokers: this.brokers.split(',').filter((_, i) => !avoid.includes(i + 1)),
      logLevel: logLevel.NOTHING,
      ...kafkaConnectionFromEnv(),
      connectionTimeout: 1_000,
      requestTimeout: 5_000,
      retry: { retries: 2 },
    }).admin();
  },
  /** Each partition of `topic` with its leader node and in-sync replicas, as the cluster reports them. */
  async partitions(
    topic: string,
    avoid: number[] = [],
  ): Promise<{ partition: number; leader: number; isr: number[] }[]> {
    const admin = this.admin(avoid);
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      return (topics[0]?.partitions ?? []).map((p) => ({
        partition: p.partitionId,
        leader: p.leader,
        isr: p.isr,
      }));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
  /** A topic's effective settings (replication factor and named config entries). */
  async describe(
    topic: string,
    names: string[],
  ): Promise<{ replicas: number; config: Record<string, string> }> {
    const admin = this.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: topic, configNames: names }],
      });
      const config = Object.fromEntries(
        (resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]),
      );
      return { replicas: topics[0]?.partitions[0]?.replicas.length ?? 0, config };
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
};
