import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Kafka, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { CLOCK, PlatformProjection, type Clock } from '@renkei/domain';
import { AuthGuard, TOKEN_VERIFIER, type TokenVerifier } from '@renkei/auth';
import { HEALTH_CHECK, type HealthCheck } from '@renkei/platform';
import { singleBrokerTopics, type TopicSettings } from '@renkei/kafka';
import { PolicyEngine, type ProjectionSync } from '@renkei/policy';
import type { FieldProtection } from '../protection/field-protection.js';

/** Waits until the projection holds every platform event appended before the call (see ProjectionSync). */
export const PROJECTION_SYNC = Symbol('PROJECTION_SYNC');
export const LOGGER = Symbol('LOGGER');
/** The idempotent, renewing Kafka producer (acks=all) the publish path and the decision records share. */
export const KAFKA_PRODUCER = Symbol('KAFKA_PRODUCER');
/** Field encryption with clearing's data keys, or null when the exchange has no service key. */
export const FIELD_PROTECTION = Symbol('FIELD_PROTECTION');

/** The exchange's own settings, read from its configuration at start. */
export class ExchangeSettings {
  constructor(
    /** Partitions of a dataset's data topic when the exchange creates it. */
    readonly dataPartitions: number,
    /** Keys the pseudonyms a grant's consumer sees (per grant, see Subscription). */
    readonly pseudonymSecret: string,
    /** Replication, min.insync.replicas and retention of the topics the exchange creates (ADR 0032). */
    readonly topics: TopicSettings = singleBrokerTopics,
  ) {}
}

/** What the exchange is built from: made in main.ts (or a test) and handed over whole. */
export interface ExchangeDeps {
  kafka: Kafka;
  producer: Producer;
  /** The registry and clearing events the exchange decides on, kept current by `sync`. */
  state: PlatformProjection;
  sync: ProjectionSync;
  policy: PolicyEngine;
  clock: Clock;
  logger: Logger;
  settings: ExchangeSettings;
  protection: FieldProtection | null;
  verifier: TokenVerifier;
  health: HealthCheck;
}

/**
 * The exchange's inputs, available to every feature module: Kafka, the platform projection and how to
 * make it current, the compiled policy, the clock, the logger and the token verifier. Feature modules
 * build their collaborators from these and export only those.
 */
@Global()
@Module({})
export class PlatformModule {
  static register(deps: ExchangeDeps): DynamicModule {
    const values = [
      { provide: Kafka, useValue: deps.kafka },
      { provide: KAFKA_PRODUCER, useValue: deps.producer },
      { provide: PlatformProjection, useValue: deps.state },
      { provide: PROJECTION_SYNC, useValue: deps.sync },
      { provide: PolicyEngine, useValue: deps.policy },
      { provide: CLOCK, useValue: deps.clock },
      { provide: LOGGER, useValue: deps.logger },
      { provide: ExchangeSettings, useValue: deps.settings },
      { provide: FIELD_PROTECTION, useValue: deps.protection },
      { provide: TOKEN_VERIFIER, useValue: deps.verifier },
      { provide: HEALTH_CHECK, useValue: deps.health },
    ];
    return {
      module: PlatformModule,
      providers: [...values, AuthGuard],
      exports: [...values.map((v) => v.provide), AuthGuard],
    };
  }
}
