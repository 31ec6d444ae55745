import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '@renkei/auth';
import { badRequest, DatasetId } from '@renkei/domain';
import { ApiExample, ApiZodBody, ApiZodQuery, Problems, Responds, ZodPipe } from '@renkei/platform';
import { readDspMessage } from '../core/dsp-body.js';
import { DspErrorFilter } from '../core/dsp-error.filter.js';
import { DspAuthenticated, DspCaller } from '../core/dsp-peer.guard.js';
import {
  CatalogPageQuerySchema,
  CatalogRequestMessageSchema,
  catalogErrorExample,
  catalogExample,
  catalogRequestExample,
  datasetExample,
  DspCatalogSchema,
  DspDatasetDocumentSchema,
} from './catalog.dto.js';
import { DspCatalogService, DspCatalogSettings } from './catalog.service.js';
import { DSP_CONTEXT } from '@renkei/contracts';

const encodeCursor = (dataset: string) => Buffer.from(dataset, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const dataset = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!DatasetId.safeParse(dataset).success) {
    throw badRequest(
      'CATALOG.INVALID_CURSOR',
      'The cursor is not one this catalog issued',
      [{ path: '/cursor', message: 'unknown cursor' }],
      'Start again without a cursor',
    );
  }
  return dataset;
}

/**
 * The DSP 2025-1 Catalog Protocol (HTTPS binding) under `/dsp/catalog`: a peer connector, authenticated as a
 * registered participant, asks for the catalog or one dataset. Errors are `CatalogError` bodies (that are the
 * platform's problem+json too); a dataset the peer may not see is answered exactly like a missing one.
 */
@ApiTags('dataspace protocol')
@Controller('dsp/catalog')
@UseFilters(new DspErrorFilter('CatalogError'))
export class DspCatalogController {
  constructor(
    private readonly catalog: DspCatalogService,
    @Inject(DspCatalogSettings) private readonly settings: DspCatalogSettings,
  ) {}

  @Post('request')
  @HttpCode(200)
  @DspAuthenticated()
  @ApiOperation({
    summary: 'The catalog this peer may see (DSP CatalogRequestMessage)',
    description:
      'Every dataset the calling participant may discover (consortium-wide, invited-only ones that invite it, its own), current version each, as DCAT Datasets with ODRL offers (purposes, residency, withheld fields, retention, who approves) and the transfer formats HttpData-PULL and Renkei-NDJSON-STREAM. Up to 200 per page; a further page is named by `Link: <...>; rel="next"`. `filter` is accepted and not applied. Bodies may be application/json or application/ld+json.',
  })
  @ApiZodBody(CatalogRequestMessageSchema, catalogRequestExample)
  @ApiZodQuery(CatalogPageQuerySchema)
  @Responds(200, DspCatalogSchema, { description: 'The Catalog', example: catalogExample })
  @Problems({
    400: ['DSP.INVALID_MESSAGE', 'CATALOG.INVALID_CURSOR'],
    403: ['PARTICIPANT.SUSPENDED'],
    413: ['DSP.MESSAGE_TOO_LARGE'],
  })
  async request(
    @DspCaller() peer: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query(new ZodPipe(CatalogPageQuerySchema)) query: { cursor?: string | undefined },
  ): Promise<Record<string, unknown>> {
    readDspMessage(request, CatalogRequestMessageSchema);
    const after = query.cursor !== undefined ? decodeCursor(query.cursor) : null;
    const page = await this.catalog.catalog(peer.participantId, after);
    if (page.next !== null) {
      const next = `${this.settings.protocolUrl.replace(/\/+$/, '')}/catalog/request?cursor=${encodeCursor(page.next)}`;
      void reply.header('link', `<${next}>; rel="next"`);
    }
    return page.catalog;
  }

  @Get('datasets/:id')
  @DspAuthenticated()
  @ApiOperation({
    summary: 'One dataset by its DSP id (urn:renkei:dataset:<dataset>:<version>)',
    description:
      'The colons of the id may be sent as they are or percent-encoded. A dataset that does not exist, a draft, and an invited-only dataset that does not invite you get the same 404 CatalogError.',
  })
  @Responds(200, DspDatasetDocumentSchema, {
    description: 'The Dataset',
    example: { '@context': [DSP_CONTEXT], ...datasetExample },
  })
  @Problems({ 403: ['PARTICIPANT.SUSPENDED'], 404: ['CONTRACT.NOT_FOUND'] })
  @ApiExample(404, 'Missing, or not yours to see (the same answer)', catalogErrorExample)
  dataset(@DspCaller() peer: Principal, @Param('id') id: string): Promise<Record<string, unknown>> {
    return this.catalog.dataset(peer.participantId, id);
  }
}
