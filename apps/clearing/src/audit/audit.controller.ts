import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import {
  ApiExample,
  ApiZodBody,
  ApiZodQuery,
  ZodPipe,
  RateLimited,
  Problems,
  Responds,
  TextParamPipe,
} from '@renkei/platform';
import {
  AuditEntriesSchema,
  AuditExportSchemas,
  PersonTagViewSchema,
  CheckpointSchema,
  ReceiptSchema,
  UsageSchema,
  VerifyReportSchema,
  AuditQuerySchema,
  ReceiptsQuerySchema,
  UsageQuerySchema,
  VerifyRequestSchema,
  checkpointExample,
  entryExample,
  problems,
  receiptExample,
  usageExample,
  verifyOkExample,
  verifyTruncatedExample,
  type AuditQuery,
  type ReceiptsQuery,
  type UsageQuery,
  type VerifyRequest,
} from './audit.dto.js';
import { JwksSchema } from '../core/jwks.dto.js';
import { AuditExportService } from './audit-export.service.js';
import { AuditQueryService } from './audit-query.service.js';
import { AuditUsageService } from './audit-usage.service.js';
import { AuditVerifyService } from './audit-verify.service.js';

const exportTypes = {
  csv: 'text/csv; charset=utf-8; header=present',
  json: 'application/json',
  ndjson: 'application/x-ndjson',
} as const;

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(
    private readonly queries: AuditQueryService,
    private readonly exports: AuditExportService,
    private readonly usages: AuditUsageService,
    private readonly verification: AuditVerifyService,
  ) {}

  @Get('entries')
  @RateLimited('heavy')
  @Authenticated('api', 'audit:read')
  @ApiOperation({
    summary:
      'Query or export the audit record (compliance): decisions, tokens issued, consent changes, key changes, security refusals',
    description:
      "Filter by participant (as actor, grant party or dataset owner; for security refusals also as the unverified subject a refused token claimed), dataset, decision (allow|deny), kind, code (security refusals: kind security.refusal, e.g. TOKEN.EXPIRED, GRANT.NOT_FOUND, RATE_LIMIT.EXCEEDED), and for decisions action (the policy action), rule (the rule that decided: a deny's first reason such as PURPOSE.NOT_ALLOWED, or ALLOW.<ACTION>) and revision (the policy bundle revision), and time; filters combine. Every decision carries its input, result, rule, explanations (code, English message, params), obligations and the policy bundle revision that made it; its entry also names action, rule, explanation and policyRevision at the top. Page with `after`; or export every match with format=csv (RFC 4180, header row), json (an array) or ndjson. Each entry carries its hash and the previous one, so an export can be re-verified offline.",
  })
  @ApiZodQuery(AuditQuerySchema)
  @Responds(200, AuditEntriesSchema, {
    description: 'A page of entries (format=page), or the export (format=json: an array; ndjson; csv)',
    example: { items: [entryExample], next: 42 },
    alternatives: AuditExportSchemas,
  })
  @ApiExample(403, 'Not a compliance officer or admin', problems.scope)
  async entries(@Query(new ZodPipe(AuditQuerySchema)) query: AuditQuery) {
    if (query.format === 'page') return this.queries.query(query);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return new StreamableFile(this.exports.export(query, query.format), {
      type: exportTypes[query.format],
      disposition: `attachment; filename="renkei-audit-${stamp}.${query.format}"`,
    });
  }

  @Get('usage')
  @Authenticated('api')
  @ApiOperation({
    summary: 'Who used your data, when and for what purpose (originators)',
    description:
      "Tokens issued to others for your datasets and the decisions on their requests, streams and deliveries (with event counts), and a summary per consumer. Only a dataset's originator sees its usage (compliance officers: any dataset they name); anyone else's dataset is answered with 404.",
  })
  @ApiZodQuery(UsageQuerySchema)
  @Responds(200, UsageSchema, { description: 'Usage of your datasets', example: usageExample })
  @ApiExample(404, 'Not a dataset of yours (or none at all: the same answer)', problems.notYours)
  usage(@CurrentPrincipal() actor: Principal, @Query(new ZodPipe(UsageQuerySchema)) query: UsageQuery) {
    return this.usages.usage(actor, query);
  }

  @Get('receipts')
  @Authenticated('api')
  @ApiOperation({
    summary: 'A signed receipt for the entries about your datasets (originators)',
    description:
      'The latest signed checkpoint (made now if the newest entry about your datasets is not yet covered) and the seq and hash of each of those entries. Keep the checkpoint JWS: POST /audit/verify with it later proves the record still holds every one of them, unchanged and in order.',
  })
  @ApiZodQuery(ReceiptsQuerySchema)
  @Responds(200, ReceiptSchema, { description: 'The receipt', example: receiptExample })
  @ApiExample(404, 'Not a dataset of yours', problems.notYours)
  receipts(
    @CurrentPrincipal() actor: Principal,
    @Query(new ZodPipe(ReceiptsQuerySchema)) query: ReceiptsQuery,
  ) {
    return this.usages.receipts(actor, query);
  }

  @Get('checkpoints/latest')
  @Authenticated('api')
  @ApiOperation({
    summary: "The latest signed checkpoint of the audit chain (its head's seq and hash only)",
    description:
      'A compact JWS (ES256, typ renkei-audit-checkpoint+jwt, signed with the active token signing key) over {seq, hash, entries, iat, iss}. Checkpoints are signed every few seconds while the record grows.',
  })
  @Responds(200, CheckpointSchema, { description: 'The checkpoint', example: checkpointExample })
  @ApiExample(404, 'Nothing recorded yet', problems.noCheckpoint)
  latest() {
    return this.verification.latestCheckpoint();
  }

  @Post('checkpoints')
  @Authenticated('api', 'audit:read')
  @ApiOperation({
    summary: 'Sign a checkpoint of the current head now (compliance officers, admins)',
    description:
      'Signed only if the entries since the previous checkpoint verify; answers 200 with the existing checkpoint if the head has not moved.',
  })
  @Responds(201, CheckpointSchema, { description: 'A new checkpoint', example: checkpointExample })
  @Responds(200, CheckpointSchema, {
    description: 'The head had not moved: the existing checkpoint',
    example: checkpointExample,
  })
  @Problems({ 404: ['AUDIT.NO_CHECKPOINT'], 409: ['AUDIT.CHAIN_BROKEN'] })
  @ApiExample(409, 'The chain does not verify: nothing is signed', problems.chainBroken)
  async checkpoint(@Res({ passthrough: true }) reply: FastifyReply) {
    const { checkpoint, created } = await this.verification.createCheckpoint();
    void reply.status(created ? 201 : 200);
    return checkpoint;
  }

  @Get('checkpoints/jwks')
  @Header('cache-control', 'public, max-age=60')
  @ApiOperation({
    summary: 'Every public key that ever signed checkpoints, retired ones included (JWKS)',
    description:
      'Token verification uses /.well-known/jwks.json, which drops retired keys; a checkpoint outlives its key, so receipts verify against this set.',
  })
  @Responds(200, JwksSchema, {
    description: 'The key set',
    example: {
      keys: [
        {
          kty: 'EC',
          crv: 'P-256',
          x: 'qPBPo7ZwPgzS-Q7pdsx1JkRRJDPoNuOv5qIlO9OPzBg',
          y: 'rS81CVoflaGKbvBllnpb39Bc0UkY3ahI1YrHIuy88eo',
          kid: checkpointExample.kid,
          alg: 'ES256',
          use: 'sig',
        },
      ],
    },
  })
  checkpointKeys() {
    return this.verification.checkpointKeys();
  }

  @Get('verify')
  @RateLimited('heavy')
  @Authenticated('api', 'audit:read')
  @ApiOperation({
    summary: 'Re-walk the hash chain and check it against every signed checkpoint',
    description:
      'Reports the first bad seq with a stable code: AUDIT.MODIFIED, AUDIT.REORDERED, AUDIT.REMOVED, AUDIT.TRUNCATED (the newest entries were removed: the chain is shorter than a checkpoint) or AUDIT.CHECKPOINT_INVALID (a stored checkpoint was altered).',
  })
  @Responds(200, VerifyReportSchema, {
    description: 'The finding: ok, or the first bad seq with a stable code',
    examples: {
      ok: { summary: 'The chain verifies', value: verifyOkExample },
      modified: {
        summary: 'An entry was changed',
        value: {
          ...verifyOkExample,
          ok: false,
          entries: 56,
          firstBadSeq: '57',
          code: 'AUDIT.MODIFIED',
          problem: 'entry 57 does not match its hash: it was modified',
          checkpointsChecked: 11,
        },
      },
    },
  })
  @ApiExample(403, 'Not a compliance officer or admin', problems.scope)
  verify() {
    return this.verification.verify();
  }

  @Post('verify')
  @RateLimited('heavy')
  @HttpCode(200)
  @Authenticated('api')
  @ApiOperation({
    summary: 'Verify the chain against a checkpoint you kept (a receipt), and every stored one',
    description:
      "Any participant may check its receipts: the answer reveals only the chain's length, head and first bad seq. A participant's check walks the chain up to the checkpoint's seq (entries and stored checkpoints after it are not judged); compliance officers and admins (audit:read) walk the whole chain against every stored checkpoint as well. A chain shorter than the checkpoint fails with AUDIT.TRUNCATED; a different hash at its seq with AUDIT.MODIFIED.",
  })
  @ApiZodBody(VerifyRequestSchema, { checkpoint: checkpointExample.jws })
  @Responds(200, VerifyReportSchema, {
    description: 'The finding: ok, or the first bad seq with a stable code',
    examples: {
      ok: {
        summary: 'The chain verifies against your checkpoint',
        value: {
          ...verifyOkExample,
          supplied: {
            seq: 128,
            hash: checkpointExample.hash,
            kid: checkpointExample.kid,
            iat: 1795251600,
          },
        },
      },
      truncated: {
        summary: 'Entries your checkpoint covers were removed',
        value: verifyTruncatedExample,
      },
    },
  })
  @ApiExample(422, 'The checkpoint is not genuine', problems.checkpointInvalid)
  verifyCheckpoint(
    @CurrentPrincipal() actor: Principal,
    @Body(new ZodPipe(VerifyRequestSchema)) body: VerifyRequest,
  ) {
    // Compliance officers and admins re-walk the whole chain; any other participant up to its checkpoint.
    return this.verification.verify(body.checkpoint, { upToSupplied: !actor.scopes.has('audit:read') });
  }

  @Get('persons/:tag')
  @Header('Cache-Control', 'no-store')
  @Authenticated('api')
  @ApiOperation({
    summary: 'Whom a person tag on the audit record stands for (the originator of that person only)',
    description:
      "The audit record names persons only by keyed tags (pr_…) whose key is the originator's, held by clearing. The originator that recorded the person sees the mapping; anyone else — compliance officers included — gets 404. Erasing the person (POST /persons/{subjectRef}/erase with dataset '*') destroys the key: from then on the tag maps to no one for anybody, while the chain still verifies.",
  })
  @Responds(200, PersonTagViewSchema, {
    description: 'Your person',
    example: {
      tag: 'pr_4mJ0cQ1sWc3mXkU8fZ2aVb7nRtYp0qLs',
      subjectRef: 'pt-7f3a91',
      since: '2026-11-21T07:00:00.000Z',
    },
  })
  @Problems({ 404: ['AUDIT.PERSON_NOT_FOUND'] })
  @ApiExample(404, 'Not a person of yours, unknown, or erased (the same answer)', problems.personNotFound)
  personOf(@CurrentPrincipal() actor: Principal, @Param('tag', new TextParamPipe('tag', 64)) tag: string) {
    return this.queries.personOf(actor, tag);
  }
}
