import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '@renkei/auth';
import { ApiZodQuery, Problems, Responds, ZodPipe } from '@renkei/platform';
import {
  ConsentOverviewQuerySchema,
  ConsentOverviewSchema,
  overviewExample,
  type ConsentOverviewQuery,
} from './consents-overview.dto.js';
import { ConsentsOverviewService } from './consents-overview.service.js';

@ApiTags('audit')
@Controller('audit')
export class ConsentsOverviewController {
  constructor(private readonly overview: ConsentsOverviewService) {}

  @Get('person-consents')
  @Authenticated('api', 'audit:read')
  @ApiOperation({
    summary: 'Overview of persons’ consent records across originators (compliance)',
    description:
      'Counts per originator, dataset and decision, and the records newest first, paged with `after`. A person appears only as the pseudonymous subject reference the originator uses: no FHIR ids and no provision contents.',
  })
  @ApiZodQuery(ConsentOverviewQuerySchema)
  @Responds(200, ConsentOverviewSchema, { description: 'The overview', example: overviewExample })
  @Problems({ 400: ['REQUEST.INVALID'], 403: ['TOKEN.INSUFFICIENT_SCOPE'] })
  list(@Query(new ZodPipe(ConsentOverviewQuerySchema)) query: ConsentOverviewQuery) {
    return this.overview.overview(query);
  }
}
