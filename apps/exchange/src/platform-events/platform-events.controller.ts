import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  ContractEventTypes,
  PlatformProjection,
  type ContractEvent,
  type GrantChangedEvent,
  type ParticipantEvent,
  type PlatformEvent,
} from '@renkei/domain';

export const PROJECTION = Symbol('exchange.platform-events.projection');

/**
 * The exchange's projection of the platform topics (registry and clearing events), one handler per kind of
 * event. Each event has been validated at the Kafka edge and arrives in topic order; the transport counts it
 * as applied (for the barrier a delivery waits on) once its handler has returned.
 */
@Controller()
export class PlatformEventsController {
  constructor(@Inject(PROJECTION) private readonly state: PlatformProjection) {}

  /** A grant approved, suspended, revoked or expired: the next delivery decision sees it. */
  @EventPattern('grant.changed')
  grantChanged(@Payload() event: GrantChangedEvent): void {
    this.state.apply(event);
  }

  /** A contract version drafted, published, deprecated or retired. */
  @EventPattern([...ContractEventTypes])
  contractChanged(@Payload() event: ContractEvent): void {
    this.state.apply(event);
  }

  /** A participant registered or changed (e.g. suspended). */
  @EventPattern('participant.upserted')
  participantUpserted(@Payload() event: ParticipantEvent): void {
    this.state.apply(event);
  }

  /**
   * A DSP transfer started, suspended, completed or terminated: a token bound to it is honoured only while
   * it is started, and its streams end the moment it is not (see Subscription).
   */
  @EventPattern('transfer.changed')
  transferChanged(@Payload() event: PlatformEvent): void {
    this.state.apply(event);
  }

  /** Persons' consents and destroyed data keys also decide deliveries; the rest is kept for listeners. */
  @EventPattern(['person-consent.changed', 'data-key.destroyed', 'dataset.changed', 'outbox.dead-lettered'])
  otherChange(@Payload() event: PlatformEvent): void {
    this.state.apply(event);
  }
}
