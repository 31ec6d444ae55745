import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  CLOCK,
  DomainError,
  Topics,
  badRequest,
  conflict,
  unavailable,
  validatePayload,
  type Clock,
  type ContractTerms,
  type DataEnvelope,
} from '@renkei/domain';
import type { Principal } from '@renkei/auth';
import { GroupedProducer, stampTraceContext, type Publication } from '@renkei/kafka';
import { inSpan } from '@renkei/platform';
import { PolicyGate, denied, syncFor, type ProjectionSync } from '@renkei/policy';
import { ContractCatalog } from '../contracts/contract-catalog.js';
import { DecisionRecorder } from '../decisions/decision-recorder.js';
import { PROJECTION_SYNC } from '../platform/platform.module.js';
import { Protection } from '../protection/protection.js';
import { requireDatasetScope } from '../scope.js';
import { DataTopics } from '../topics/data-topics.js';
import type { PublishBatch, PublishResult } from './publish.dto.js';

/** Per partition and request, well under Kafka's default 1 MiB record batch limit (envelopes add a little). */
const MAX_PARTITION_BYTES = 900 * 1024;

const kafkaUnavailable = (cause: unknown) =>
  unavailable(
    'KAFKA.UNAVAILABLE',
    'The event bus did not acknowledge the batch; nothing is confirmed as published',
    'Retry the batch with the same event ids, so consumers can recognise any duplicate by its id',
    cause,
  );

/** The batch's events as they go to Kafka: ids and times filled in, labels sorted and de-duplicated. */
function envelopesOf(
  batch: PublishBatch,
  contract: ContractTerms,
  originator: string,
  now: Date,
): DataEnvelope[] {
  const nowIso = now.toISOString();
  return batch.events.map((e) => ({
    id: e.id ?? randomUUID(),
    type: e.type ?? contract.dataset,
    schemaVersion: contract.version,
    occurredAt: e.occurredAt ?? nowIso,
    publishedAt: nowIso,
    dataset: contract.dataset,
    contractVersion: contract.version,
    originator,
    ...(e.subject ? { subject: e.subject } : {}),
    ...(e.labels && e.labels.length > 0 ? { labels: [...new Set(e.labels)].sort() } : {}),
    payload: e.payload,
  }));
}

@Injectable()
export class PublishService {
  constructor(
    @Inject(PROJECTION_SYNC) private readonly sync: ProjectionSync,
    private readonly contracts: ContractCatalog,
    private readonly gate: PolicyGate,
    private readonly decisions: DecisionRecorder,
    private readonly protection: Protection,
    private readonly topics: DataTopics,
    private readonly producer: GroupedProducer,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * verify scope -> contract -> schema (all events, all errors) -> policy -> Kafka (idempotent, acks=all).
   * The answer is sent only after Kafka has acknowledged every event: what was accepted is not lost.
   */
  async publish(principal: Principal, dataset: string, batch: PublishBatch): Promise<PublishResult> {
    requireDatasetScope(principal, 'publish', dataset);
    // Suspensions and contract changes reach the publish path within a quarter of a second; a contract
    // registered a moment ago is looked for again after a barrier that starts now.
    await syncFor(this.sync, () => this.contracts.find(dataset, batch.contractVersion) !== undefined);
    const contract = this.contracts.get(dataset, batch.contractVersion);
    this.assertInService(contract);
    this.assertFollows(contract, batch);
    const now = this.clock.now();
    const { result: decision, record: decided } = this.gate.decide({
      action: 'publish',
      subjectId: principal.participantId,
      dataset,
      contract,
      now,
    });
    const envelopes = envelopesOf(batch, contract, principal.participantId, now);
    const record = { ...decided, eventIds: envelopes.map((e) => e.id) };
    if (!decision.allow) {
      await this.decisions.record([record]);
      throw denied(decision, 'Publishing');
    }
    // Protected fields go to Kafka encrypted with clearing's data keys (crypto-shredding).
    const payloads = await this.protection.protect(contract, principal.participantId, batch.events);
    envelopes.forEach((e, i) => (e.payload = payloads[i]!));
    const messages = await this.messagesOf(dataset, envelopes);
    this.assertFitsPartitions(messages);
    try {
      const audit = { key: principal.participantId, value: JSON.stringify(record) };
      // The produce is a span of the request's trace, and each message carries it (traceparent header):
      // a produce request may combine several requests' publications, each keeps its own trace.
      const partitions = await inSpan(
        'kafka.produce data',
        () => {
          stampTraceContext([...messages, audit]);
          return this.producer.produce({ topic: Topics.data(dataset), messages, audit });
        },
        { attributes: { 'messaging.system': 'kafka', 'renkei.events': messages.length } },
      );
      return {
        accepted: envelopes.length,
        dataset,
        contractVersion: contract.version,
        ...(contract.status === 'deprecated' ? { warnings: [this.deprecationWarning(contract)] } : {}),
        eventIds: record.eventIds,
        partitions,
      };
    } catch (cause) {
      if (cause instanceof DomainError) throw cause;
      throw kafkaUnavailable(cause);
    }
  }

  /** Every payload is checked and every error reported: one bad event rejects the whole batch. */
  private assertFollows(contract: ContractTerms, batch: PublishBatch): void {
    const validator = this.contracts.validator(contract);
    const details = batch.events.flatMap((e, i) =>
      validatePayload(validator, e.payload, `/events/${i}/payload`),
    );
    if (details.length > 0) {
      throw badRequest(
        'CONTRACT.SCHEMA_VIOLATION',
        `The payloads do not follow contract ${contract.dataset}@${contract.version}; nothing was published`,
        details,
        'Fix the listed fields and resend the whole batch',
      );
    }
  }

  /** Each event keyed by its subject (so one subject's events stay in order) or its id, on its partition. */
  private async messagesOf(dataset: string, envelopes: DataEnvelope[]): Promise<Publication['messages']> {
    try {
      await this.topics.ensure(dataset);
      const partitionOf = await this.topics.partitioner(dataset);
      return envelopes.map((e) => {
        const key = e.subject ?? e.id;
        return {
          key,
          partition: partitionOf(key),
          value: JSON.stringify(e),
          headers: { 'renkei-event-id': e.id, 'renkei-contract-version': e.contractVersion },
        };
      });
    } catch (cause) {
      throw kafkaUnavailable(cause);
    }
  }

  /** One partition's share of a batch goes in one Kafka record batch: it must stay under the 1 MiB limit. */
  private assertFitsPartitions(messages: Publication['messages']): void {
    const bytes = new Map<number, number>();
    for (const m of messages) {
      const total = (bytes.get(m.partition) ?? 0) + Buffer.byteLength(m.value);
      bytes.set(m.partition, total);
      if (total > MAX_PARTITION_BYTES) {
        throw badRequest(
          'PUBLISH.BATCH_TOO_LARGE',
          `The batch's events for one partition exceed ${MAX_PARTITION_BYTES} bytes; nothing was published`,
          [
            {
              path: '/events',
              message: `events that share a partition (e.g. one subject's) must total at most ${MAX_PARTITION_BYTES} bytes`,
            },
          ],
          'Split the batch into smaller requests',
        );
      }
    }
  }

  /** Only published versions carry events: a draft may still change, a retired one is closed. */
  private assertInService(contract: ContractTerms): void {
    if (contract.status === 'draft') {
      throw conflict(
        'CONTRACT.VERSION_NOT_PUBLISHED',
        `Version ${contract.version} of '${contract.dataset}' is a draft; events follow published versions only`,
        'Activate the draft on the registry, or publish under the current version',
      );
    }
    if (contract.status === 'retired') {
      const current = this.contracts.find(contract.dataset);
      throw conflict(
        'CONTRACT.VERSION_RETIRED',
        `Version ${contract.version} of '${contract.dataset}' is retired; nothing is published under it any more`,
        current
          ? `Publish under the current version ${current.version}`
          : 'The dataset has no version in service; ask its owner',
      );
    }
  }

  private deprecationWarning(contract: ContractTerms): string {
    const current = this.contracts.find(contract.dataset);
    return current && current.version !== contract.version
      ? `Version ${contract.version} is deprecated; move to ${current.version} before it is retired`
      : `Version ${contract.version} is deprecated and will be retired`;
  }
}
