import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { exportOdcs, exportOdcsYaml } from '@renkei/contracts';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import { badRequest } from '@renkei/domain';
import {
  parseOrThrow,
  RateLimited,
  DATASET_PARAM_SCHEMA,
  DatasetPipe,
  Problems,
  Responds,
  VERSION_PARAM_SCHEMA,
  VersionPipe,
} from '@renkei/platform';
import { RegisterContractSchema, OdcsImportResultSchema } from './contracts.dto.js';
import { ExportQuerySchema, ImportQuerySchema, OdcsDocumentSchema } from './odcs.dto.js';
import { contractExample } from './contracts.examples.js';
import { ContractsService, toTerms } from './contracts.service.js';
import { SchemaWork } from './schema-work.js';

/** The status a document registers as: the query's when given, else the document's own (draft or active). */
function registrationStatus(
  query: 'draft' | 'active' | undefined,
  document: string | undefined,
): 'draft' | 'active' {
  if (query) return query;
  if (document === undefined || document === 'draft' || document === 'active') return document ?? 'active';
  throw badRequest(
    'ODCS.INVALID_STATUS',
    `A ${document} contract version cannot be registered`,
    [
      {
        path: '/status',
        message: `'${document}': only a draft, proposed or active version can be registered`,
      },
    ],
    'Set status: active (or draft) in the document, or register it with ?status=active or ?status=draft',
  );
}

const odcsExample = `apiVersion: v3.0.2
kind: DataContract
id: urn:renkei:contract:battery.cfp:1.1.0
name: Battery cell carbon footprint
version: 1.1.0
status: active
domain: supply-chain
schema:
  - name: battery.cfp
    logicalType: object
    properties:
      - name: lotId
        logicalType: string
        required: true
      - name: cfpKgCo2ePerKwh
        logicalType: number
        required: true
customProperties:
  - property: renkei.purposes
    value: [cfp-disclosure]
`;

/** Open Data Contract Standard v3: the same contract as a document other tools and data spaces read. */
@ApiTags('contracts')
@Controller('contracts')
export class OdcsController {
  constructor(
    private readonly contracts: ContractsService,
    private readonly schemaWork: SchemaWork,
  ) {}

  @Post('odcs')
  @RateLimited('heavy')
  @Authenticated('api', 'contracts:write')
  @ApiOperation({
    summary: 'Register a contract version from an ODCS v3 document (YAML or JSON)',
    description:
      "The document is mapped to Renkei terms (see docs/decisions/0008) and then registered exactly like POST /contracts: the same checks, the same errors. It registers with the document's status (draft/proposed → draft, active → active; deprecated or retired is a 400) unless `status` is given. The document's `renkei.compatibility` sets a new dataset's mode; for an existing dataset it is ignored (with a warning when it differs). Warnings list what was defaulted or ignored.",
  })
  @ApiQuery({
    name: 'status',
    required: false,
    enum: ['draft', 'active'],
    description: "Register as this status instead of the document's",
  })
  @ApiConsumes('application/yaml', 'application/json')
  @ApiBody({
    required: true,
    description: 'An ODCS v3 document: YAML text (application/yaml) or the same as JSON',
    schema: { type: 'string', example: odcsExample },
  })
  @Responds(201, OdcsImportResultSchema, {
    description: 'The registered version and any warnings',
    example: { contract: contractExample, warnings: [] },
  })
  @Problems({
    400: [
      'ODCS.INVALID_DOCUMENT',
      'ODCS.UNSUPPORTED_VERSION',
      'ODCS.INVALID_DATASET_ID',
      'ODCS.INVALID_VERSION',
      'ODCS.MISSING_PURPOSES',
      'ODCS.MISSING_SCHEMA',
      'ODCS.UNKNOWN_LOGICAL_TYPE',
      'ODCS.INVALID_TERMS',
      'ODCS.INVALID_STATUS',
      'CONTRACT.INVALID_TERMS',
    ],
    403: ['CONTRACT.NOT_OWNER', 'PARTICIPANT.SUSPENDED'],
    409: [
      'CONTRACT.INCOMPATIBLE',
      'CONTRACT.VERSION_EXISTS',
      'CONTRACT.VERSION_NOT_INCREASING',
      'CONTRACT.DATASET_TAKEN',
      'CONTRACT.CONCURRENT_CHANGE',
    ],
  })
  async import(@CurrentPrincipal() actor: Principal, @Body() body: unknown, @Query() query: unknown) {
    const { status } = parseOrThrow(ImportQuerySchema, query);
    // Parsing and mapping a member's document runs in the schema worker pool, under its time budget.
    const { contract, warnings } = await this.schemaWork.importOdcs(body);
    const input = parseOrThrow(
      RegisterContractSchema,
      { ...contract, status: registrationStatus(status, contract.status) },
      'ODCS.INVALID_TERMS',
    );
    return { contract: await this.contracts.register(actor, input, { warnings }), warnings };
  }

  @Get(':dataset/versions/:version/odcs')
  @Authenticated('api')
  @ApiParam({ name: 'dataset', example: 'battery.cfp', schema: DATASET_PARAM_SCHEMA })
  @ApiParam({ name: 'version', example: '1.1.0', schema: VERSION_PARAM_SCHEMA })
  @ApiQuery({ name: 'format', required: false, enum: ['yaml', 'json'] })
  @ApiOperation({ summary: 'A contract version as an ODCS v3 document' })
  @Responds(200, OdcsDocumentSchema, {
    description: 'The ODCS document: YAML by default, JSON with format=json',
    mediaType: 'application/yaml',
    example: odcsExample,
    alternatives: { 'application/json': OdcsDocumentSchema },
  })
  @Problems({ 404: ['CONTRACT.NOT_FOUND'] })
  async export(
    @CurrentPrincipal() actor: Principal,
    @Param('dataset', new DatasetPipe()) dataset: string,
    @Param('version', new VersionPipe()) version: string,
    @Query() query: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { format } = parseOrThrow(ExportQuerySchema, query);
    const row = await this.contracts.visibleVersionWithOwner(actor, dataset, version);
    const terms = { ...toTerms(row), invited: row.ownerId === actor.participantId ? row.invited : [] };
    const owner = {
      id: row.owner.id,
      legalName: row.owner.legalName,
      corporateNumber: row.owner.corporateNumber,
      lei: row.owner.lei,
      bpn: row.owner.bpn,
    };
    if (format === 'json') {
      void reply.header('content-type', 'application/json');
      return exportOdcs(terms, owner);
    }
    void reply.header('content-type', 'application/yaml; charset=utf-8');
    return exportOdcsYaml(terms, owner);
  }
}
