import type { Kafka, Producer } from 'kafkajs';
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
import { requireScope, type Principal } from '#libs/auth';
import type { PolicyEngine } from '#libs/policy';
import type { Clock } from '#libs/domain';
import { needsProtection, type FieldProtection } from './protection/field-protection.js';

export { needsProtection };

/**
 * Everything the exchange edge shares between requests: the projection of registry and clearing events,
 * compiled validators (one per contract version), the Kafka producer and the policy engine.
 */
export class ExchangeRuntime {
  private readonly validators = new Map<string, PayloadValidator>();
  private readonly topicsReady = new Map<string, Promise<void>>();

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
      ready = ensureTopics(this.kafka, [
        { topic: Topics.data(dataset), numPartitions: this.partitions },
        { topic: Topics.deadLetter(dataset), numPartitions: 1 },
      ]).catch((error: unknown) => {
        this.topicsReady.delete(dataset);
        throw error;
      });
      this.topicsReady.set(dataset, ready);
    }
    return ready;
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
    await this.producer.send({
      topic: Topics.auditDecisions,
      acks: -1,
      messages: records.map((r) => ({ key: r.requestedBy, value: JSON.stringify(r) })),
    });
  }
}
