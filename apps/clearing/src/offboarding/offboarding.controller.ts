import { Controller, Get, Inject, Logger, Param, type OnModuleDestroy } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '@renkei/auth';
import type { ParticipantEvent } from '@renkei/domain';
import { Problems, Responds, UuidPipe } from '@renkei/platform';
import { OffboardingImpactSchema, impactExample } from './offboarding.dto.js';
import { OffboardingService } from './offboarding.service.js';

@ApiTags('participants')
@Controller('participants')
export class OffboardingController {
  constructor(@Inject(OffboardingService) private readonly offboarding: OffboardingService) {}

  @Get(':id/offboarding-impact')
  @Authenticated('api', 'participants:admin')
  @ApiOperation({
    summary: 'What offboarding a participant would do to its grants (consortium admin)',
    description:
      "The live grants (requested, granted, suspended) the participant is party to, as originator and as consumer, each with the other party, dataset, state and purpose; the deletion obligations revoking them would open (one per granted or suspended grant, owed by its consumer); and counts. Offboarding (POST /participants/{id}/offboard on the registry) revokes all of them with reason 'participant offboarded'.",
  })
  @Responds(200, OffboardingImpactSchema, { description: 'The impact', example: impactExample })
  @Problems({ 404: ['PARTICIPANT.NOT_FOUND'] })
  impact(@Param('id', new UuidPipe()) id: string) {
    return this.offboarding.impact(id);
  }
}

/**
 * The registry's participant events, for offboarding: when one says a participant is offboarded, every
 * live grant it is party to is revoked (idempotent, so the replay at every start changes nothing more).
 * A handler beside the projection's (platform-events/); the transport runs both for each event.
 */
@Controller()
export class OffboardingListener implements OnModuleDestroy {
  private readonly log = new Logger('Offboarding');
  /** Participants whose revocations failed (e.g. PostgreSQL away), each with its next retry. */
  private readonly retries = new Map<string, NodeJS.Timeout>();

  constructor(@Inject(OffboardingService) private readonly offboarding: OffboardingService) {}

  @EventPattern('participant.upserted')
  async participantUpserted(@Payload() event: ParticipantEvent): Promise<void> {
    if (event.participant.status !== 'offboarded') return;
    await this.revokeAll(event.participant.id, event.actor, RETRY_FIRST_MS);
  }

  /**
   * Revokes, and on failure keeps retrying in the background with backoff until it succeeds: the control
   * plane moves on (suspensions behind this event must not wait for the database), and the grants of an
   * offboarded participant still end without a restart once the database is back.
   */
  private async revokeAll(id: string, actor: string | undefined, delayMs: number): Promise<void> {
    try {
      await this.offboarding.revokeAll(id, actor);
      if (this.retries.delete(id))
        this.log.log(`grants of offboarded participant ${id} revoked after a retry`);
    } catch (error) {
      this.log.warn(
        `revoking the grants of offboarded participant ${id} failed (${String(error)}); retrying in ${delayMs} ms`,
      );
      clearTimeout(this.retries.get(id));
      const next = Math.min(delayMs * 2, RETRY_MAX_MS);
      this.retries.set(id, setTimeout(() => void this.revokeAll(id, actor, next), delayMs).unref());
    }
  }

  onModuleDestroy(): void {
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
  }
}

const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;
