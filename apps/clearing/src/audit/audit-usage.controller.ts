import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import { ApiExample, ApiZodQuery, Problems, Responds, ZodPipe } from '@renkei/platform';
import {
  SERIES_MAX_BUCKETS,
  UsageSeriesQuerySchema,
  UsageSeriesSchema,
  usageSeriesExample,
  type UsageSeriesQuery,
} from './audit-usage-series.dto.js';
import { problems } from './audit.dto.js';
import { AuditUsageService } from './audit-usage.service.js';

/** Usage over time, for the originator's charts ("who used my data"). */
@ApiTags('audit')
@Controller('audit')
export class AuditUsageController {
  constructor(private readonly usages: AuditUsageService) {}

  @Get('usage/series')
  @Authenticated('api')
  @ApiOperation({
    summary: 'Usage of your data over time, by consumer and purpose (originators)',
    description: `Per hour or day (UTC buckets) and per dataset, consumer and purpose: allowed deliveries and the events they carried, dataset tokens issued and refusals. At most ${SERIES_MAX_BUCKETS} buckets; buckets without usage are left out. Only a dataset's originator sees it (compliance officers: any dataset they name); anyone else's dataset is answered with 404.`,
  })
  @ApiZodQuery(UsageSeriesQuerySchema)
  @Responds(200, UsageSeriesSchema, { description: 'The series', example: usageSeriesExample })
  @Problems({ 400: ['REQUEST.INVALID'], 404: ['AUDIT.DATASET_NOT_FOUND'] })
  @ApiExample(404, 'Not a dataset of yours (or none at all: the same answer)', problems.notYours)
  series(
    @CurrentPrincipal() actor: Principal,
    @Query(new ZodPipe(UsageSeriesQuerySchema)) query: UsageSeriesQuery,
  ) {
    return this.usages.series(actor, query);
  }
}
