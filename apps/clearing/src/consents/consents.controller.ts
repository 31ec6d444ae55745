import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Authenticated, CurrentPrincipal, type Principal } from '#libs/auth';
import { ApiZodBody, ApiZodQuery, ZodPipe, RateLimited, Problems, Responds } from '#libs/platform';
import { DatasetSelector, SubjectRef } from '#libs/domain';
import { ConsentsService } from './consents.service.js';
import { DATASET_EXTENSION, PARTICIPANT_SYSTEM } from './fhir-consent.js';

export const OptOutSchema = z.object({
  subjectRef: SubjectRef.describe("The person's pseudonymous reference, as in events' subject"),
  dataset: DatasetSelector.default('*').describe('A dataset id, or * for all your datasets'),
  withdraw: z
    .boolean()
    .default(false)
    .describe(
      "true: withdraw this opt-out (the person's other consents apply again; an erasure is never withdrawn)",
    ),
});
/** A person's consent record as clearing answers it (PersonConsentView). */
const ConsentViewSchema = z
  .object({
    originator: z.uuid(),
    subjectRef: z.string(),
    dataset: z.string(),
    decision: z.string().describe('permit | deny | withdrawn'),
    consentId: z.string(),
    provisions: z.array(z.unknown()),
    validFrom: z.string().nullable(),
    validUntil: z.string().nullable(),
  })
  .catchall(z.unknown());
const ImportResultSchema = z
  .object({ recorded: z.number().int(), consents: z.array(ConsentViewSchema) })
  .catchall(z.unknown());
const ListSchema = z.object({ subject: z.string().max(200).optional() });

const consentExample = {
  resourceType: 'Consent',
  id: 'c-2026-0042',
  status: 'active',
  subject: { identifier: { system: 'urn:kansai-general:patient', value: 'pt-7f3a91' } },
  decision: 'deny',
  period: { start: '2026-11-01', end: '2027-10-31' },
  // R5: each provision is an exception to the decision — here "no, except health research".
  provision: [
    { purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HRESCH' }] },
  ],
  extension: [{ url: DATASET_EXTENSION, valueString: 'health.admissions' }],
};
const viewExample = {
  originator: '9b1f7c1e-2a44-4a4e-8d0b-6a0d2f1c9e77',
  subjectRef: 'pt-7f3a91',
  consentId: 'fhir:c-2026-0042',
  dataset: 'health.admissions',
  decision: 'deny',
  provisions: [{ purposes: ['health-research'] }],
  validFrom: '2026-11-01T00:00:00.000Z',
  validUntil: '2027-10-31T00:00:00.000Z',
  recordedAt: '2026-11-21T07:00:00.000Z',
};

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
  optOut(
    @CurrentPrincipal() actor: Principal,
    @Body(new ZodPipe(OptOutSchema)) body: z.infer<typeof OptOutSchema>,
  ) {
    return this.consents.optOut(actor, body.subjectRef, body.dataset, body.withdraw);
  }

  @Get()
  @Authenticated('api', 'grants:read')
  @ApiOperation({ summary: 'Your persons’ consent records (originator)' })
  @ApiZodQuery(ListSchema)
  @Responds(200, z.array(ConsentViewSchema), { description: 'The records', example: [viewExample] })
  list(
    @CurrentPrincipal() actor: Principal,
    @Query(new ZodPipe(ListSchema)) query: z.infer<typeof ListSchema>,
  ) {
    return this.consents.list(actor, query.subject);
  }
}
