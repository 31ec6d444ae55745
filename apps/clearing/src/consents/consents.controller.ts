import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import { ApiZodBody, ApiZodQuery, ZodPipe, RateLimited, Problems, Responds } from '@renkei/platform';
import { ConsentsService } from './consents.service.js';
import {
  ConsentViewSchema,
  ImportResultSchema,
  ListConsentsSchema,
  OptOutSchema,
  consentExample,
  viewExample,
  type ListConsents,
  type OptOut,
} from './consents.dto.js';
import { DATASET_EXTENSION, PARTICIPANT_SYSTEM } from './fhir-consent.js';

/** Kept for apps/registry/src/id-grammar.spec.ts, which checks the id grammar against it. */
export { OptOutSchema } from './consents.dto.js';

@ApiTags('person consents')
@Controller('person-consents')
export class ConsentsController {
  constructor(private readonly consents: ConsentsService) {}

  @Post('fhir')
  @RateLimited('heavy')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({
    summary: 'Record persons’ consents and opt-outs from HL7 FHIR R5 Consent resources (originator)',
    description:
      'A Consent or a Bundle of them, read with FHIR R5 semantics: `decision` is the base answer (permit: delivered identified; deny: not delivered at all) and each `provision` an exception with the opposite meaning, nested provisions exceptions to their parent. Provisions may be scoped by purpose (v3-ActReason codes such as HRESCH map to health-research), actor (a recipient role, IRCP/PRCP, with reference.identifier system ' +
      PARTICIPANT_SYSTEM +
      " = a participant id), period (time of use), dataPeriod (record time), resourceType/documentType (the event type), securityLabel/code (the event labels) and action (consentaction). Any other element is refused with 422 FHIR.CONSENT_NOT_ENFORCEABLE naming it; nothing of the request is recorded. A person's consents combine, the most restrictive winning; the same Consent id updates that consent; a status other than active withdraws it. The dataset comes from the extension " +
      DATASET_EXTENSION +
      ' (default: all your datasets). Checked on every record delivered, from the next delivery on.',
  })
  @ApiConsumes('application/fhir+json', 'application/json')
  @ApiBody({ schema: { type: 'object', example: consentExample } })
  @Responds(200, ImportResultSchema, {
    description: 'What was recorded',
    example: { recorded: 1, consents: [viewExample] },
  })
  @Problems({
    400: ['FHIR.INVALID_RESOURCE', 'FHIR.INVALID_CONSENT'],
    403: ['CONTRACT.NOT_OWNER'],
    404: ['CONTRACT.NOT_FOUND'],
    422: ['FHIR.CONSENT_NOT_ENFORCEABLE', 'CONSENT.TOO_MANY'],
  })
  importFhir(@CurrentPrincipal() actor: Principal, @Body() body: unknown) {
    return this.consents.importFhir(actor, body);
  }

  @Post('opt-out')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiOperation({ summary: "Record a person's opt-out (originator): effective from the next delivery" })
  @ApiZodBody(OptOutSchema, { subjectRef: 'pt-7f3a91', dataset: '*' })
  @Responds(200, ConsentViewSchema, {
    description: 'The opt-out',
    example: {
      ...viewExample,
      consentId: 'renkei:opt-out:*',
      dataset: '*',
      decision: 'deny',
      provisions: [],
    },
  })
  @Problems({ 403: ['CONTRACT.NOT_OWNER'], 404: ['CONTRACT.NOT_FOUND'] })
  optOut(@CurrentPrincipal() actor: Principal, @Body(new ZodPipe(OptOutSchema)) body: OptOut) {
    return this.consents.optOut(actor, body.subjectRef, body.dataset, body.withdraw);
  }

  @Get()
  @Authenticated('api', 'grants:read')
  @ApiOperation({ summary: 'Your persons’ consent records (originator)' })
  @ApiZodQuery(ListConsentsSchema)
  @Responds(200, z.array(ConsentViewSchema), { description: 'The records', example: [viewExample] })
  list(@CurrentPrincipal() actor: Principal, @Query(new ZodPipe(ListConsentsSchema)) query: ListConsents) {
    return this.consents.list(actor, query.subject);
  }
}
