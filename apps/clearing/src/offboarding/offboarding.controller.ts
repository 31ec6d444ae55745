import { Controller, Get, Inject, Param } from '@nestjs/common';
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
export class OffboardingListener {
  constructor(@Inject(OffboardingService) private readonly offboarding: OffboardingService) {}

  @EventPattern('participant.upserted')
  async participantUpserted(@Payload() event: ParticipantEvent): Promise<void> {
    if (event.participant.status !== 'offboarded') return;
    await this.offboarding.revokeAll(event.participant.id, event.actor);
  }
}
