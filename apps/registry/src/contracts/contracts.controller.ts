import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import {
  ApiExample,
  ApiZodBody,
  ZodPipe,
  RateLimited,
  DATASET_PARAM_SCHEMA,
  DatasetPipe,
  Problems,
  Responds,
  VERSION_PARAM_SCHEMA,
  VersionPipe,
} from '@renkei/platform';
import { z } from 'zod';
import {
  CompatibilityCheckSchema,
  CompatibilityReportSchema,
  CompatibilitySettingResultSchema,
  CompatibilitySettingSchema,
  ContractSchema,
  TransitionRecordSchema,
  RegisterContractSchema,
  TransitionSchema,
  UpdateDraftSchema,
  compatibilityCheckExample,
  registerExample,
  type CompatibilityCheck,
  type CompatibilitySetting,
  type RegisterContract,
  type Transition,
  type UpdateDraft,
} from './contracts.dto.js';
import {
  compatibilityReportExample,
  contractExample,
  illegalTransitionExample,
  incompatibleExample,
  patternNotSupportedExample,
  schemaLimitExample,
  transitionsExample,
} from './contracts.examples.js';
import { ContractsService } from './contracts.service.js';

const datasetParam = ApiParam({ name: 'dataset', example: 'battery.cfp', schema: DATASET_PARAM_SCHEMA });
const versionParam = ApiParam({ name: 'version', example: '1.1.0', schema: VERSION_PARAM_SCHEMA });
const notFoundExample = {
  type: 'urn:renkei:error:CONTRACT.NOT_FOUND',
  title: 'CONTRACT.NOT_FOUND',
  status: 404,
  code: 'CONTRACT.NOT_FOUND',
  detail: "No version 9.9.9 of dataset 'battery.cfp'",
  hint: 'List the datasets you can see with GET /catalog',
  instance: '/contracts/battery.cfp/versions/9.9.9',
};

@ApiTags('contracts')
@Controller()
export class ContractsController {
  constructor(private readonly contracts: ContractsService) {}

  @Post('contracts')
  @RateLimited('heavy')
  @Authenticated('api', 'contracts:write')
  @ApiOperation({
    summary: 'Register a contract version for a dataset you own (published at once, or as a draft)',
    description:
      "The JSON Schema (2020-12) is compiled strictly; tags name fields the schema defines; health and sensitive personal data must be 'restricted'. A published version must be newer than every earlier one and pass the dataset's compatibility mode (set with its first version, default BACKWARD) against them; an incompatible change is refused naming every breaking path and why. Published versions are immutable. A derived dataset's lineage is verified: every input must be yours or covered by a grant you hold or held (else 403 LINEAGE.INPUT_NOT_HELD naming /lineage/{i}); derived.contributors is counted by the registry (the distinct originators behind the inputs) and a larger declared count is refused (422 DERIVED.CONTRIBUTORS_UNVERIFIED).",
  })
  @ApiZodBody(RegisterContractSchema, registerExample)
  @Responds(201, ContractSchema, { description: 'The version as registered', example: contractExample })
  @Problems({
    400: ['CONTRACT.INVALID_TERMS'],
    403: ['CONTRACT.NOT_OWNER', 'PARTICIPANT.SUSPENDED'],
    409: [
      'CONTRACT.INCOMPATIBLE',
      'CONTRACT.VERSION_EXISTS',
      'CONTRACT.VERSION_NOT_INCREASING',
      'CONTRACT.DATASET_TAKEN',
      'CONTRACT.CONCURRENT_CHANGE',
    ],
  })
  @ApiExample(409, 'The schema breaks the compatibility mode', incompatibleExample)
  @ApiExample(400, 'A pattern RE2 cannot run (PATTERN_NOT_SUPPORTED)', patternNotSupportedExample)
  @ApiExample(
    422,
    'The schema exceeds a limit (SCHEMA_TOO_LARGE / _DEEP / _COMPLEX, PATTERN_TOO_COMPLEX) or its checks ran past the time budget (CHECK_TOO_EXPENSIVE)',
    schemaLimitExample,
  )
  register(
    @CurrentPrincipal() actor: Principal,
    @Body(new ZodPipe(RegisterContractSchema)) body: RegisterContract,
    @Headers('authorization') authorization: string | undefined,
  ) {
    // The caller's own token lets the registry ask clearing which lineage inputs it holds grants on.
    return this.contracts.register(actor, body, { authorization });
  }

  @Get('contracts/:dataset')
  @Authenticated('api')
  @datasetParam
  @ApiOperation({
    summary: 'The current version of a dataset: the one new events are published and served under',
  })
  @Responds(200, ContractSchema, { description: 'The current version', example: contractExample })
  @ApiExample(404, 'No such dataset, or not visible to you (the same answer)', notFoundExample)
  current(@CurrentPrincipal() actor: Principal, @Param('dataset', new DatasetPipe()) dataset: string) {
    return this.contracts.current(actor, dataset);
  }

  @Get('contracts/:dataset/versions')
  @Authenticated('api')
  @datasetParam
  @ApiOperation({
    summary: 'Every version of a dataset you may see, oldest first (drafts only for the owner)',
  })
  @Responds(200, z.array(ContractSchema), { description: 'The versions', example: [contractExample] })
  @Problems({ 404: ['CONTRACT.NOT_FOUND'] })
  versions(@CurrentPrincipal() actor: Principal, @Param('dataset', new DatasetPipe()) dataset: string) {
    return this.contracts.versions(actor, dataset);
  }

  @Get('contracts/:dataset/versions/:version')
  @Authenticated('api')
  @datasetParam
  @versionParam
  @ApiOperation({ summary: 'One contract version' })
  @Responds(200, ContractSchema, { description: 'The version', example: contractExample })
  @ApiExample(404, 'No such version, or not visible to you', notFoundExample)
  version(
    @CurrentPrincipal() actor: Principal,
    @Param('dataset', new DatasetPipe()) dataset: string,
    @Param('version', new VersionPipe()) version: string,
  ) {
    return this.contracts.version(actor, dataset, version);
  }

  @Put('contracts/:dataset/versions/:version')
  @RateLimited('heavy')
  @Authenticated('api', 'contracts:write')
  @datasetParam
  @versionParam
  @ApiOperation({ summary: 'Edit a draft version (published versions never change)' })
  @ApiZodBody(
    UpdateDraftSchema,
    (({ dataset: _d, version: _v, compatibility: _c, ...t }) => t)(registerExample),
  )
  @Responds(200, ContractSchema, {
    description: 'The draft as edited',
    example: { ...contractExample, status: 'draft', current: false },
  })
  @Problems({
    400: ['CONTRACT.INVALID_TERMS'],
    403: ['CONTRACT.NOT_OWNER', 'PARTICIPANT.SUSPENDED'],
    404: ['CONTRACT.NOT_FOUND'],
    409: ['CONTRACT.IMMUTABLE', 'CONTRACT.CONCURRENT_CHANGE'],
  })
  updateDraft(
    @CurrentPrincipal() actor: Principal,
    @Param('dataset', new DatasetPipe()) dataset: string,
    @Param('version', new VersionPipe()) version: string,
    @Body(new ZodPipe(UpdateDraftSchema)) body: UpdateDraft,
  ) {
    return this.contracts.updateDraft(actor, dataset, version, body);
  }

  @Post('contracts/:dataset/versions/:version/activate')
  @HttpCode(200)
  @Authenticated('api', 'contracts:write')
  @datasetParam
  @versionParam
  @ApiOperation({
    summary: 'Publish a draft: draft → active, after the version and compatibility checks',
  })
  @ApiZodBody(TransitionSchema, { reason: 'Adds plantId for plant-level disclosure' })
  @Responds(200, ContractSchema, { description: 'The published version', example: contractExample })
  @Problems({
    403: ['CONTRACT.NOT_OWNER', 'PARTICIPANT.SUSPENDED'],
    404: ['CONTRACT.NOT_FOUND'],
    409: ['CONTRACT.ILLEGAL_TRANSITION', 'CONTRACT.INCOMPATIBLE', 'CONTRACT.VERSION_NOT_INCREASING'],
  })
  @ApiExample(409, 'The schema breaks the compatibility mode', incompatibleExample)
  activate(
    @CurrentPrincipal() actor: Principal,
    @Param('dataset', new DatasetPipe()) dataset: string,
    @Param('version', new VersionPipe()) version: string,
    @Body(new ZodPipe(TransitionSchema)) body: Transition,
  ) {
    return this.contracts.transition(actor, dataset, version, 'active', body.reason);
  }

  @Post('contracts/:dataset/versions/:version/deprecate')
  @HttpCode(200)
  @Authenticated('api')
  @datasetParam
  @versionParam
  @ApiOperation({
    summary: 'Deprecate a version: active → deprecated (owner or consortium admin)',
    description:
      'Existing grants keep being served; consumers holding access are notified with the reason. New grants are not given on a deprecated version.',
  })
  @ApiZodBody(TransitionSchema, { reason: 'Superseded by 2.0.0; retirement planned for 2027-03-31' })
  @Responds(200, ContractSchema, {
    description: 'The deprecated version',
    example: { ...contractExample, status: 'deprecated' },
  })
  @Problems({
    403: ['CONTRACT.NOT_OWNER', 'PARTICIPANT.SUSPENDED'],
    404: ['CONTRACT.NOT_FOUND'],
    409: ['CONTRACT.ILLEGAL_TRANSITION'],
  })
  @ApiExample(409, 'Not allowed from the current status', illegalTransitionExample)
  deprecate(
    @CurrentPrincipal() actor: Principal,
    @Param('dataset', new DatasetPipe()) dataset: string,
    @Param('version', new VersionPipe()) version: string,
    @Body(new ZodPipe(TransitionSchema)) body: Transition,
  ) {
    return this.contracts.transition(actor, dataset, version, 'deprecated', body.reason);
  }

  @Post('contracts/:dataset/versions/:version/retire')
  @HttpCode(200)
  @Authenticated('api')
  @datasetParam
  @versionParam
  @ApiOperation({
    summary: 'Retire a deprecated version: nothing is published or delivered under it any more',
  })
  @ApiZodBody(TransitionSchema, { reason: 'Retired as announced on 2026-11-21' })
  @Responds(200, ContractSchema, {
    description: 'The retired version',
    example: { ...contractExample, status: 'retired', current: false },
  })
  @Problems({
    403: ['CONTRACT.NOT_OWNER', 'PARTICIPANT.SUSPENDED'],
    404: ['CONTRACT.NOT_FOUND'],
    409: ['CONTRACT.ILLEGAL_TRANSITION'],
  })
  @ApiExample(409, 'Not allowed from the current status', illegalTransitionExample)
  retire(
    @CurrentPrincipal() actor: Principal,
    @Param('dataset', new DatasetPipe()) dataset: string,
    @Param('version', new VersionPipe()) version: string,
    @Body(new ZodPipe(TransitionSchema)) body: Transition,
  ) {
    return this.contracts.transition(actor, dataset, version, 'retired', body.reason);
  }

  @Get('contracts/:dataset/versions/:version/transitions')
  @Authenticated('api')
  @datasetParam
  @versionParam
  @ApiOperation({ summary: 'Who moved the version through its lifecycle, when and why' })
  @Responds(200, z.array(TransitionRecordSchema), {
    description: 'The transitions, oldest first',
    example: transitionsExample,
  })
  @Problems({ 404: ['CONTRACT.NOT_FOUND'] })
  transitions(
    @CurrentPrincipal() actor: Principal,
    @Param('dataset', new DatasetPipe()) dataset: string,
    @Param('version', new VersionPipe()) version: string,
  ) {
    return this.contracts.transitions(actor, dataset, version);
  }

  @Post('contracts/:dataset/compatibility')
  @RateLimited('heavy')
  @HttpCode(200)
  @Authenticated('api', 'contracts:write')
  @datasetParam
  @ApiOperation({
    summary: 'Check a schema against the dataset before publishing it (changes nothing)',
    description:
      "Runs exactly the check a publication runs, under the dataset's mode, and lists every breaking change.",
  })
  @ApiZodBody(CompatibilityCheckSchema, compatibilityCheckExample)
  @Responds(200, CompatibilityReportSchema, {
    description: 'The report',
    example: compatibilityReportExample,
  })
  @Problems({
    400: ['CONTRACT.INVALID_TERMS', 'CONTRACT.PATTERN_NOT_SUPPORTED'],
    404: ['CONTRACT.NOT_FOUND'],
    409: ['CONTRACT.VERSION_EXISTS', 'CONTRACT.VERSION_NOT_INCREASING'],
    422: [
      'CONTRACT.SCHEMA_TOO_LARGE',
      'CONTRACT.SCHEMA_TOO_DEEP',
      'CONTRACT.SCHEMA_TOO_COMPLEX',
      'CONTRACT.PATTERN_TOO_COMPLEX',
      'CONTRACT.CHECK_TOO_EXPENSIVE',
    ],
    503: ['CONTRACT.CHECKS_BUSY'],
  })
  @ApiExample(400, 'A pattern RE2 cannot run (PATTERN_NOT_SUPPORTED)', patternNotSupportedExample)
  @ApiExample(
    422,
    'The schema exceeds a limit (SCHEMA_TOO_LARGE / _DEEP / _COMPLEX, PATTERN_TOO_COMPLEX) or the check ran past the time budget (CHECK_TOO_EXPENSIVE)',
    schemaLimitExample,
  )
  check(
    @CurrentPrincipal() actor: Principal,
    @Param('dataset', new DatasetPipe()) dataset: string,
    @Body(new ZodPipe(CompatibilityCheckSchema)) body: CompatibilityCheck,
  ) {
    return this.contracts.checkNext(actor, dataset, body);
  }

  @Put('datasets/:dataset/compatibility')
  @Authenticated('api', 'contracts:write')
  @datasetParam
  @ApiOperation({
    summary: "Change a dataset's compatibility mode (applies to versions published from now on)",
  })
  @ApiZodBody(CompatibilitySettingSchema, { compatibility: 'FULL_TRANSITIVE' })
  @Responds(200, CompatibilitySettingResultSchema, {
    description: 'The new setting',
    example: {
      dataset: 'battery.cfp',
      compatibility: 'FULL_TRANSITIVE',
      updatedAt: '2026-11-21T06:00:00.000Z',
    },
  })
  @Problems({ 403: ['CONTRACT.NOT_OWNER', 'PARTICIPANT.SUSPENDED'], 404: ['CONTRACT.NOT_FOUND'] })
  setCompatibility(
    @CurrentPrincipal() actor: Principal,
    @Param('dataset', new DatasetPipe()) dataset: string,
    @Body(new ZodPipe(CompatibilitySettingSchema)) body: CompatibilitySetting,
  ) {
    return this.contracts.setCompatibility(actor, dataset, body.compatibility);
  }
}
