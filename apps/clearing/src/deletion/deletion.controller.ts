import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import { z } from 'zod';
import { ApiExample, ApiZodBody, ApiZodQuery, Responds, UuidPipe, ZodPipe } from '@renkei/platform';
import {
  DeletionObligationSchema,
  ListObligationsSchema,
  OverdueQuerySchema,
  ReceiptBodySchema,
  alreadyConfirmedExample,
  confirmedExample,
  notConsumerExample,
  obligationExample,
  obligationNotFoundExample,
  overdueExample,
  receiptExample,
  receiptInvalidExample,
  type ListObligations,
  type OverdueQuery,
  type ReceiptBody,
} from './deletion.dto.js';
import { DeletionService } from './deletion.service.js';

const idParam = ApiParam({ name: 'id', description: 'The obligation id', example: obligationExample.id });

@ApiTags('deletion')
@Controller('deletion-obligations')
export class DeletionController {
  constructor(private readonly deletion: DeletionService) {}

  @Get()
  @Authenticated('api', 'grants:read')
  @ApiOperation({
    summary:
      'Your deletion obligations: what you must delete (consumer) and what others owe you (originator)',
    description:
      'When a grant you held ends (revoked, or expired at its validUntil), you owe the originator deletion of everything received under it by `dueAt` = end + the grant’s deletionDays. Confirm with POST /deletion-obligations/{id}/receipt; past the deadline the obligation becomes `overdue` and is flagged to compliance.',
  })
  @ApiZodQuery(ListObligationsSchema)
  @Responds(200, z.array(DeletionObligationSchema), {
    description: 'The obligations, earliest deadline first',
    example: [obligationExample, confirmedExample],
  })
  list(
    @CurrentPrincipal() actor: Principal,
    @Query(new ZodPipe(ListObligationsSchema)) query: ListObligations,
  ) {
    return this.deletion.list(actor, query);
  }

  // Declared before ':id' so that 'overdue' is never read as an id.
  @Get('overdue')
  @Authenticated('api', 'audit:read')
  @ApiOperation({
    summary: 'Deletion obligations flagged to compliance: past their deadline without a receipt (compliance)',
    description:
      'Across all participants. `status=confirmed` lists those confirmed late, `any` every obligation ever flagged.',
  })
  @ApiZodQuery(OverdueQuerySchema)
  @Responds(200, z.array(DeletionObligationSchema), {
    description: 'The flagged obligations, earliest deadline first',
    example: [overdueExample],
  })
  overdue(@Query(new ZodPipe(OverdueQuerySchema)) query: OverdueQuery) {
    return this.deletion.overdue(query);
  }

  @Get(':id')
  @Authenticated('api', 'grants:read')
  @idParam
  @ApiOperation({ summary: 'One deletion obligation (consumer and originator only), with its receipt' })
  @Responds(200, DeletionObligationSchema, { description: 'The obligation', example: confirmedExample })
  @ApiExample(404, 'No such obligation, or not yours (the same answer)', obligationNotFoundExample)
  get(@CurrentPrincipal() actor: Principal, @Param('id', new UuidPipe()) id: string) {
    return this.deletion.get(actor, id);
  }

  @Post(':id/receipt')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @idParam
  @ApiOperation({
    summary: 'Confirm deletion with a receipt signed by your own key (consumer)',
    description:
      "The receipt is a compact JWS, ES256 only, header typ 'deletion-receipt+jwt', signed with one of the keys registered for you, claims { iss: your id, sub: the obligation id, grant, dataset, deletedAt (ISO 8601, not in the future nor before the grant ended), method: crypto-erase | overwrite | delete | physical-destruction, scope: 'all-copies', iat, jti }. It is stored with its claims and recorded on the audit chain; the originator sees it. A receipt after the deadline is accepted and the obligation stays flagged as late.",
  })
  @ApiZodBody(ReceiptBodySchema, { receipt: receiptExample })
  @Responds(200, DeletionObligationSchema, {
    description: 'The obligation, confirmed',
    example: confirmedExample,
  })
  @ApiExample(
    400,
    'The receipt does not verify; `errors[0].check` names the failed check',
    receiptInvalidExample,
  )
  @ApiExample(403, 'You are the originator, not the consumer', notConsumerExample)
  @ApiExample(404, 'No such obligation, or not yours', obligationNotFoundExample)
  @ApiExample(409, 'Already confirmed', alreadyConfirmedExample)
  confirm(
    @CurrentPrincipal() actor: Principal,
    @Param('id', new UuidPipe()) id: string,
    @Body(new ZodPipe(ReceiptBodySchema)) body: ReceiptBody,
  ) {
    return this.deletion.confirm(actor, id, body);
  }
}
