import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  ContractEventTypes,
  PlatformProjection,
  type ContractEvent,
  type ParticipantEvent,
  type PlatformEvent,
} from '@renkei/domain';
import type { PrismaClient } from '@renkei/persistence';
import { recordAnnouncedDeadLetter } from '../audit/dead-letters.js';

export const PROJECTION = Symbol('clearing.platform-events.projection');
export const AUDIT_DATABASE = Symbol('clearing.platform-events.prisma');

/**
 * Clearing's projection of the registry topic (participants, contracts, datasets), one handler per kind of
 * event. Each event has been validated at the Kafka edge and arrives in topic order; the transport counts it
 * as applied (for the barrier grants and tokens wait on) once its handler has returned.
 */
@Controller()
export class PlatformEventsController {
  constructor(
    @Inject(PROJECTION) private readonly state: PlatformProjection,
    @Inject(AUDIT_DATABASE) private readonly prisma: PrismaClient,
  ) {}

  /** A participant registered or changed (e.g. suspended): tokens and grants see it. */
  @EventPattern('participant.upserted')
  participantUpserted(@Payload() event: ParticipantEvent): void {
    this.state.apply(event);
  }

  /** A contract version drafted, published, deprecated or retired (the notifier listens to these). */
  @EventPattern([...ContractEventTypes])
  contractChanged(@Payload() event: ContractEvent): void {
    this.state.apply(event);
  }

  /**
   * The registry's dead letters go on the audit chain (idempotent: the topic is replayed on every boot, and
   * the entry takes the event's id).
   */
  @EventPattern('outbox.dead-lettered')
  async deadLettered(@Payload() event: PlatformEvent): Promise<void> {
    this.state.apply(event);
    await recordAnnouncedDeadLetter(this.prisma, event);
  }

  /** Everything else the registry topic may carry, so the projection stays a replay of the whole topic. */
  @EventPattern(['dataset.changed', 'grant.changed', 'person-consent.changed', 'data-key.destroyed'])
  otherChange(@Payload() event: PlatformEvent): void {
    this.state.apply(event);
  }
}
