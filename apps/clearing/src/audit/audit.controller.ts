import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '#libs/auth';
import { ApiZodQuery, ZodPipe } from '#libs/platform';
import { AuditQuerySchema, type AuditQuery } from './audit.dto.js';
import { AuditService } from './audit.service.js';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('entries')
  @Authenticated('api', 'audit:read')
  @ApiOperation({
    summary: 'Query the audit record (compliance): policy decisions, tokens issued, consent changes',
    description:
      'Every decision carries its input, result, obligations and the policy bundle revision that made it. Page with `after`.',
  })
  @ApiZodQuery(AuditQuerySchema)
  entries(@Query(new ZodPipe(AuditQuerySchema)) query: AuditQuery) {
    return this.audit.query(query);
  }

  @Get('verify')
  @Authenticated('api', 'audit:read')
  @ApiOperation({
    summary: 'Recompute the hash chain and report the first modified, reordered or missing entry',
  })
  verify() {
    return this.audit.verify();
  }
}
