import {
  Partitioners,
  type Kafka,
  type Message,
  type PartitionMetadata,
  type Producer,
  type RecordMetadata,
} from 'kafkajs';
import type { Logger } from 'pino';
import {
  Topics,
  compileContractSchema,
  forbidden,
  notFound,
  unavailable,
  type ContractTerms,
  type DecisionRecordInput,
  type PayloadValidator,
  type PlatformProjection,
} from '#libs/domain';
import { ensureTopics, type EventConsumer } from '#libs/kafka';
import { withDeadline } from '#libs/platform';
import { requireScope, type Principal } from '#libs/auth';
import type { PolicyEngine } from '#libs/policy';
import type { Clock } from '#libs/domain';
import { needsProtection, type FieldProtection } from './protection/field-protection.js';

export { needsProtection };

/** One publish request's share of a produce request: its data events (partition chosen) and its decision record. */
export interface Publication {
  topic: string;
  /** In order; each message carries the partition its key maps to (see dataPartitioner). */
  messages: (Message & { key: string; value: string; partition: number })[];
  audit: Message & { value: string };
}

/** Where a publication's events landed: Kafka's offset of its first event, per partition written. */
export type Placement = { partition: number; baseOffset: string }[];

interface Queued {
  publication: Publication;
  size: number;
  resolve: (placement: Placement) => void;
  reject: (error: unknown) => void;
}

/**
 * A produce request combines the publications waiting while the previous one is in flight, up to this many
 * characters of message values: well under Kafka's default 1 MiB record batch limit, even if every value
 * went to the same partition. A bigger publication is sent on its own, as it arrives.
 */
const MAX_COMBINED_CHARS = 256 * 1024;
/** Publications waiting behind the one in flight, at most: beyond this the exchange answers 503 at once. */
const MAX_QUEUED = 64;
/** ...and at most this many characters of them. */
const MAX_QUEUED_CHARS = 16 * 1024 * 1024;
/** A produce request unanswered this long fails its publications (503) and frees the queue behind it. */
const SEND_DEADLINE_MS = 5_000;
/** Like kafkajs's metadata max age: an added partition is picked up within this time. */
const PARTITIONS_MAX_AGE_MS = 300_000;

/** kafkajs's own default partitioner: the one the producer would apply, called here ahead of the send. */
const defaultPartitioner = Partitioners.DefaultPartitioner();

/**
 * Everything the exchange edge shares between requests: the projection of registry and clearing events,
 * compiled validators (one per contract version), the Kafka producer and the policy engine.
 */
export class ExchangeRuntime {
  private readonly validators = new Map<string, PayloadValidator>();
  private readonly topicsReady = new Map<string, Promise<void>>();
  private readonly partitionsOf = new Map<string, { metadata: PartitionMetadata[]; at: number }>();
  private readonly partitionRefresh = new Map<string, Promise<void>>();
  private readonly queue: Queued[] = [];
  private queuedChars = 0;
  private sending = false;

  constructor(
    readonly kafka: Kafka,
    readonly producer: Producer,
    readonly state: PlatformProjection,
    readonly events: EventConsumer,
    readonly policy: PolicyEngine,
    readonly clock: Clock,
    readonly logger: Logger,
    readonly partitions: number,
    /** Field encryption with clearing's data keys; null when no service key is configured. */
    readonly protection: FieldProtection | null = null,
  ) {}

  /** The field protection, or a 503 when a contract demands it and the exchange has no service key. */
  requireProtection(): FieldProtection {
    if (!this.protection) {
      throw unavailable(
        'PROTECTION.UNAVAILABLE',
        'This contract requires field encryption, and the exchange has no service key for data keys',
        'The operator must set SERVICE_KEY on the exchange and EXCHANGE_JWKS on clearing',
      );
    }
    return this.protection;
  }

  /** The projection is current (see EventConsumer.barrier); if Kafka cannot say, the answer is a 503. */
  async fresh(maxAgeMs = 0): Promise<void> {
    try {
      await this.events.barrier(maxAgeMs);
    } catch (cause) {
      throw unavailable(
        'KAFKA.UNAVAILABLE',
        'The event bus is not reachable; no decision can be made',
        'Retry in a few seconds',
        cause,
      );
    }
  }

  validator(contract: ContractTerms): PayloadValidator {
    const key = `${contract.dataset}@${contract.version}`;
    let validator = this.validators.get(key);
    if (!validator) {
      validator = compileContractSchema(contract.schema);
      this.validators.set(key, validator);
    }
    return validator;
  }

  /** The platform creates a dataset's topics (data and dead letters) the first time it is used. */
  ensureDataTopics(dataset: string): Promise<void> {
    let ready = this.topicsReady.get(dataset);
    if (!ready) {
      ready = withDeadline(
        ensureTopics(this.kafka, [
          { topic: Topics.data(dataset), numPartitions: this.partitions },
          { topic: Topics.deadLetter(dataset), numPartitions: 1 },
        ]),
        SEND_DEADLINE_MS,
        'Kafka topic creation',
      ).catch((error: unknown) => {
        this.topicsReady.delete(dataset);
        throw error;
      });
      this.topicsReady.set(dataset, ready);
    }
    return ready;
  }

  /**
   * The partition each key of a dataset's data topic goes to: kafkajs's DefaultPartitioner (the producer's)
   * asked ahead of the send, so a combined produce request can tell every publication where its events
   * landed.
   * Call after ensureDataTopics.
   */
  async dataPartitioner(dataset: string): Promise<(key: string) => number> {
    const topic = Topics.data(dataset);
    let known = this.partitionsOf.get(topic);
    if (!known) {
      await this.refreshPartitions(topic);
      known = this.partitionsOf.get(topic)!;
    } else if (Date.now() - known.at > PARTITIONS_MAX_AGE_MS) {
      // Refreshed in the background; until then the known partitions stand, as in the producer's metadata.
      this.refreshPartitions(topic).catch((error: unknown) =>
        this.logger.warn({ err: error, topic }, 'could not refresh the partitions of a data topic'),
      );
    }
    const partitionMetadata = known.metadata;
    return (key) => defaultPartitioner({ topic, partitionMetadata, message: { key, value: null } });
  }

  private refreshPartitions(topic: string): Promise<void> {
    let pending = this.partitionRefresh.get(topic);
    if (!pending) {
      pending = withDeadline(
        async () => {
          const admin = this.kafka.admin();
          await admin.connect();
          try {
            const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
            const metadata = topics.find((t) => t.name === topic)?.partitions ?? [];
            if (metadata.length === 0) throw new Error(`No partitions known for topic ${topic}`);
            this.partitionsOf.set(topic, {
              metadata: [...metadata].sort((a, b) => a.partitionId - b.partitionId),
              at: Date.now(),
            });
          } finally {
            await admin.disconnect().catch(() => undefined);
          }
        },
        SEND_DEADLINE_MS,
        'Kafka metadata',
      ).finally(() => this.partitionRefresh.delete(topic));
      this.partitionRefresh.set(topic, pending);
    }
    return pending;
  }

  /**
   * Sends a publication (acks=all) and resolves once Kafka has acknowledged all its messages. With an
   * idempotent producer kafkajs has one produce request per broker in flight; publications arriving
   * meanwhile wait, and go together in the next request (group commit) instead of one request each.
   * Each still learns exactly where its own events landed. A failed request fails all its publications.
   */
  produce(publication: Publication): Promise<Placement> {
    let size = publication.audit.value.length;
    for (const m of publication.messages) size += m.value.length + m.key.length;
    if (this.queue.length >= MAX_QUEUED || this.queuedChars + size > MAX_QUEUED_CHARS) {
      return Promise.reject(
        unavailable(
          'KAFKA.UNAVAILABLE',
          'The event bus is not keeping up; too many publications are waiting',
          'Retry in a few seconds',
        ),
      );
    }
    return new Promise<Placement>((resolve, reject) => {
      this.queue.push({ publication, size, resolve, reject });
      this.queuedChars += size;
      if (!this.sending) {
        this.drain().catch((error: unknown) => {
          // drain() settles every publication itself; this only guards against an unhandled rejection.
          this.logger.error({ err: error }, 'produce queue failed');
        });
      }
    });
  }

  private take(n: number): Queued[] {
    const taken = this.queue.splice(0, n);
    for (const q of taken) this.queuedChars -= q.size;
    return taken;
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        let size = this.queue[0]!.size;
        let n = 1;
        while (n < this.queue.length && size + this.queue[n]!.size <= MAX_COMBINED_CHARS) {
          size += this.queue[n]!.size;
          n++;
        }
        const group = this.take(n);
        try {
          await this.sendCombined(group);
        } catch (error) {
          // Kafka refused (or retried until it gave up): what waits behind would fare no better.
          for (const q of [...group, ...this.take(this.queue.length)]) q.reject(error);
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /** Sends a group in one produce request and settles each of its publications; throws if the send failed. */
  private async sendCombined(group: Queued[]): Promise<void> {
    // One entry per topic (kafkajs keys its request by topic); order within a partition is arrival order.
    const byTopic = new Map<string, Message[]>();
    const add = (topic: string, messages: Message[]) => {
      const list = byTopic.get(topic);
      if (list) for (const m of messages) list.push(m);
      else byTopic.set(topic, [...messages]);
    };
    for (const { publication } of group) {
      add(publication.topic, publication.messages);
      add(Topics.auditDecisions, [publication.audit]);
    }
    const results = await withDeadline(
      this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      }),
      SEND_DEADLINE_MS,
      'Kafka produce',
    );
    try {
      this.settle(group, results);
    } catch (error) {
      // Settled publications ignore this; the rest learn that their placement is unknown.
      for (const q of group) q.reject(error);
    }
  }

  private settle(group: Queued[], results: RecordMetadata[]): void {
    const base = new Map<string, bigint>();
    for (const r of results) {
      if (r.baseOffset !== undefined) base.set(`${r.topicName}:${r.partition}`, BigInt(r.baseOffset));
    }
    // Offsets within a partition's record batch are consecutive, in the order the messages were given.
    const written = new Map<string, bigint>();
    for (const { publication, resolve } of group) {
      const first = new Map<number, bigint>();
      const counts = new Map<number, bigint>();
      for (const m of publication.messages) {
        const key = `${publication.topic}:${m.partition}`;
        if (!first.has(m.partition)) first.set(m.partition, written.get(key) ?? 0n);
        counts.set(m.partition, (counts.get(m.partition) ?? 0n) + 1n);
      }
      const placement: Placement = [];
      for (const partition of [...first.keys()].sort((a, b) => a - b)) {
        const key = `${publication.topic}:${partition}`;
        const b = base.get(key);
        placement.push({ partition, baseOffset: b === undefined ? '' : String(b + first.get(partition)!) });
        written.set(key, (written.get(key) ?? 0n) + counts.get(partition)!);
      }
      resolve(placement);
    }
  }

  /** Like contract(), but a contract registered a moment ago is looked for again after a fresh barrier. */
  async freshContract(dataset: string, version?: string): Promise<ContractTerms> {
    const known = version
      ? this.state.contracts.get(dataset)?.get(version)
      : this.state.currentContract(dataset);
    if (!known) await this.fresh(0);
    return this.contract(dataset, version);
  }

  contract(dataset: string, version?: string): ContractTerms {
    const contract = version
      ? this.state.contracts.get(dataset)?.get(version)
      : this.state.currentContract(dataset);
    if (!contract) {
      throw notFound(
        'CONTRACT.NOT_FOUND',
        version
          ? `No version ${version} of dataset '${dataset}'`
          : `No active contract for dataset '${dataset}'`,
        'List datasets with GET /catalog on the registry',
      );
    }
    return contract;
  }

  /** Exchange tokens carry `<action>:<dataset>`; a token for another dataset or action is refused. */
  requireDatasetScope(principal: Principal, action: 'publish' | 'subscribe', dataset: string): void {
    requireScope(principal, `${action}:${dataset}`);
    if (principal.claims.dataset && principal.claims.dataset !== dataset) {
      throw forbidden('TOKEN.INSUFFICIENT_SCOPE', 'This token is for another dataset');
    }
  }

  /** Decision records go to the audit topic (acks=all) and from there onto clearing's hash chain. */
  async record(records: DecisionRecordInput[]): Promise<void> {
    if (records.length === 0) return;
    await withDeadline(
      this.producer.send({
        topic: Topics.auditDecisions,
        acks: -1,
        messages: records.map((r) => ({ key: r.requestedBy, value: JSON.stringify(r) })),
      }),
      SEND_DEADLINE_MS,
      'Kafka produce (decision records)',
    );
  }
}
