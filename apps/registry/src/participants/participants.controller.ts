import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import { z } from 'zod';
import { ApiExample, ApiZodBody, Problems, Responds, UuidPipe, ZodPipe } from '@renkei/platform';
import {
  AttestationsSchema,
  OffboardSchema,
  OnboardParticipantSchema,
  ParticipantSchema,
  type Attestations,
  type Offboard,
  type OnboardParticipant,
  attestationsExample,
  onboardExample,
  participantExample,
} from './participants.dto.js';

const offboarded = {
  type: 'urn:renkei:error:PARTICIPANT.OFFBOARDED',
  title: 'PARTICIPANT.OFFBOARDED',
  status: 409,
  code: 'PARTICIPANT.OFFBOARDED',
  detail: `Participant ${participantExample.id} is offboarded since 2026-12-02T13:00:00.000Z`,
  hint: 'Offboarding is final: its record stays as it was offboarded, for the audit',
  instance: `/participants/${participantExample.id}/reactivate`,
};
import { ParticipantsService } from './participants.service.js';

@ApiTags('participants')
@Controller('participants')
export class ParticipantsController {
  constructor(private readonly participants: ParticipantsService) {}

  @Post()
  @Authenticated('api', 'participants:admin')
  @ApiOperation({
    summary: 'Onboard a participant (consortium admin)',
    description:
      'Validates the legal identifier (corporate number check digit, LEI or BPN) and registers the public keys the participant will sign its client assertions with.',
  })
  @ApiZodBody(OnboardParticipantSchema, onboardExample)
  @Responds(201, ParticipantSchema, { description: 'The onboarded participant', example: participantExample })
  @Problems({ 400: ['PARTICIPANT.INVALID_IDENTIFIER'], 409: ['PARTICIPANT.ALREADY_ONBOARDED'] })
  @ApiExample(400, 'A legal identifier that does not check out', {
    type: 'urn:renkei:error:PARTICIPANT.INVALID_IDENTIFIER',
    title: 'PARTICIPANT.INVALID_IDENTIFIER',
    status: 400,
    code: 'PARTICIPANT.INVALID_IDENTIFIER',
    detail: 'The corporate number is not valid',
    errors: [{ path: '/corporateNumber', message: 'check digit does not match' }],
    instance: '/participants',
  })
  onboard(
    @CurrentPrincipal() actor: Principal,
    @Body(new ZodPipe(OnboardParticipantSchema)) body: OnboardParticipant,
  ) {
    return this.participants.onboard(actor, body);
  }

  @Get()
  @Authenticated('api', 'participants:admin')
  @ApiOperation({ summary: 'List participants (consortium admin)' })
  @Responds(200, z.array(ParticipantSchema), {
    description: 'Every participant',
    example: [participantExample],
  })
  list() {
    return this.participants.list();
  }

  @Get(':id')
  @Authenticated('api')
  @ApiOperation({ summary: 'Read one participant (yourself, or anyone as admin)' })
  @Responds(200, ParticipantSchema, { description: 'The participant', example: participantExample })
  @Problems({ 404: ['PARTICIPANT.NOT_FOUND'] })
  get(@CurrentPrincipal() actor: Principal, @Param('id', new UuidPipe()) id: string) {
    return this.participants.get(actor, id);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @Authenticated('api', 'participants:admin')
  @ApiOperation({ summary: 'Suspend a participant: every later decision about it is a deny' })
  @Responds(200, ParticipantSchema, {
    description: 'The suspended participant',
    example: { ...participantExample, status: 'suspended' },
  })
  @Problems({ 404: ['PARTICIPANT.NOT_FOUND'], 409: ['PARTICIPANT.OFFBOARDED'] })
  suspend(@CurrentPrincipal() actor: Principal, @Param('id', new UuidPipe()) id: string) {
    return this.participants.setStatus(actor, id, 'suspended');
  }

  @Put(':id/attestations')
  @Authenticated('api', 'participants:admin')
  @ApiOperation({
    summary: 'Attest certifications and protection level (consortium admin)',
    description:
      'The policies read these: health data only reaches health-data-handler participants, restricted data only participants attested for field-encryption. Each certification is a name, or {certification, evidence, expiresAt}: evidence is a reference (a certificate number or URL, at most 500 characters), and from expiresAt on the policies treat the certification as absent. The list replaces the one attested before.',
  })
  @ApiZodBody(AttestationsSchema, attestationsExample)
  @Responds(200, ParticipantSchema, {
    description: 'The participant',
    example: {
      ...participantExample,
      certifications: ['health-data-handler'],
      certificationDetails: [{ ...attestationsExample.certifications[0], expired: false }],
      protection: 'field-encryption',
    },
  })
  @Problems({ 404: ['PARTICIPANT.NOT_FOUND'], 409: ['PARTICIPANT.OFFBOARDED'] })
  attest(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(AttestationsSchema)) body: Attestations,
  ) {
    return this.participants.attest(actor, id, body);
  }

  @Post(':id/reactivate')
  @HttpCode(200)
  @Authenticated('api', 'participants:admin')
  @ApiOperation({ summary: 'Reactivate a suspended participant' })
  @Responds(200, ParticipantSchema, {
    description: 'The reactivated participant',
    example: participantExample,
  })
  @Problems({ 404: ['PARTICIPANT.NOT_FOUND'], 409: ['PARTICIPANT.OFFBOARDED'] })
  @ApiExample(409, 'An offboarded participant stays offboarded', offboarded)
  reactivate(@CurrentPrincipal() actor: Principal, @Param('id', new UuidPipe()) id: string) {
    return this.participants.setStatus(actor, id, 'active');
  }

  @Post(':id/offboard')
  @HttpCode(200)
  @Authenticated('api', 'participants:admin')
  @ApiOperation({
    summary: 'Offboard a participant, for good (consortium admin)',
    description:
      "Status becomes offboarded: every later decision about the participant is a deny, its token requests are refused and it can never be reactivated. Clearing then revokes every live grant (requested, granted or suspended) it is party to, as originator or consumer, with reason 'participant offboarded': streams end at once and consumers owe deletion as after any revocation. Preview that with GET /participants/{id}/offboarding-impact on clearing. Offboarding again changes nothing.",
  })
  @ApiZodBody(OffboardSchema, { reason: 'Left the consortium on 2026-12-01 (board resolution 2026-47)' })
  @Responds(200, ParticipantSchema, {
    description: 'The offboarded participant',
    example: {
      ...participantExample,
      status: 'offboarded',
      offboardedAt: '2026-12-02T13:00:00.000Z',
      offboardReason: 'Left the consortium on 2026-12-01 (board resolution 2026-47)',
    },
  })
  @Problems({ 404: ['PARTICIPANT.NOT_FOUND'] })
  offboard(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(OffboardSchema)) body: Offboard,
  ) {
    return this.participants.offboard(actor, id, body.reason);
  }
}
