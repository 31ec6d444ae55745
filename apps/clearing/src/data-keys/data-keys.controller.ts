import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import {
  ApiZodBody,
  ZodPipe,
  DATASET_PARAM_SCHEMA,
  DatasetPipe,
  Problems,
  Responds,
  TextParamPipe,
  textParamSchema,
} from '@renkei/platform';
import {
  DestroyDatasetKeysSchema,
  DestroyedDatasetKeysSchema,
  EncryptionKeysResultSchema,
  ErasedPersonSchema,
  ReleasedKeysSchema,
  EncryptionKeysSchema,
  ErasePersonSchema,
  KeyReleaseSchema,
  type DestroyDatasetKeys,
  type EncryptionKeys,
  type ErasePerson,
  type KeyRelease,
} from './data-keys.dto.js';
import { DataKeysService } from './data-keys.service.js';
import { ServiceGuard } from './service.guard.js';

@ApiTags('crypto-shredding')
@Controller()
export class DataKeysController {
  constructor(private readonly keys: DataKeysService) {}

  @Post('datasets/:dataset/keys/destroy')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiParam({ name: 'dataset', example: 'health.admissions', schema: DATASET_PARAM_SCHEMA })
  @ApiOperation({
    summary: 'Crypto-shred a dataset you own: destroy its data keys',
    description:
      'Protected fields already shared — on Kafka, in replays, anywhere — become unreadable to everyone. Irreversible.',
  })
  @ApiZodBody(DestroyDatasetKeysSchema, { reason: 'Study ended; data to be erased under the contract' })
  @Responds(200, DestroyedDatasetKeysSchema, {
    description: 'What was destroyed',
    example: { dataset: 'health.admissions', destroyed: 14, at: '2026-11-21T07:00:00.000Z' },
  })
  @Problems({ 403: ['CONTRACT.NOT_OWNER'], 404: ['CONTRACT.NOT_FOUND'] })
  destroy(
    @CurrentPrincipal() actor: Principal,
    @Param('dataset', new DatasetPipe()) dataset: string,
    @Body(new ZodPipe(DestroyDatasetKeysSchema)) body: DestroyDatasetKeys,
  ) {
    return this.keys.destroyDataset(actor, dataset, body.reason);
  }

  @Post('persons/:subjectRef/erase')
  @HttpCode(200)
  @Authenticated('api', 'grants:write')
  @ApiParam({ name: 'subjectRef', example: 'pt-7f3a91', schema: textParamSchema() })
  @ApiOperation({
    summary: "Erase a person: destroy the person's data keys and record an opt-out",
    description:
      "Everything protected under the person's keys becomes unreadable to everyone; nothing more about the person is delivered.",
  })
  @ApiZodBody(ErasePersonSchema, { dataset: '*', reason: 'Erasure requested by the patient (APPI art. 35)' })
  @Responds(200, ErasedPersonSchema, {
    description: 'What was erased',
    example: { subjectRef: 'pt-7f3a91', dataset: '*', keysDestroyed: 2, at: '2026-11-21T07:00:00.000Z' },
  })
  @Problems({ 403: ['CONTRACT.NOT_OWNER'], 404: ['CONTRACT.NOT_FOUND'] })
  erase(
    @CurrentPrincipal() actor: Principal,
    @Param('subjectRef', new TextParamPipe('subjectRef')) subjectRef: string,
    @Body(new ZodPipe(ErasePersonSchema)) body: ErasePerson,
  ) {
    return this.keys.erasePerson(actor, subjectRef, body);
  }
}

/** Refusals of the platform-service guard (ServiceGuard): a participant's token never passes. */
const internalProblems = {
  401: ['TOKEN.MISSING', 'TOKEN.INVALID'],
  503: ['SERVICE.NOT_CONFIGURED'],
};

/** Platform-internal: the exchange gets keys to encrypt on publish and, for live grants, to decrypt on delivery. */
@ApiTags('internal')
@Controller('internal/data-keys')
@UseGuards(ServiceGuard)
export class InternalDataKeysController {
  constructor(private readonly keys: DataKeysService) {}

  @Post('encryption')
  @HttpCode(200)
  @ApiOperation({ summary: 'Data keys to encrypt protected fields on publish (platform services only)' })
  @ApiZodBody(EncryptionKeysSchema)
  @Problems(internalProblems)
  @Responds(200, EncryptionKeysResultSchema, {
    description: 'The dataset key and each person key',
    example: {
      dataset: { kid: '0e6f7a3b-1c2d-4e5f-8a9b-0c1d2e3f4a5b', key: '<base64url, 32 bytes>' },
      subjects: {
        'pt-7f3a91': { kid: '5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d', key: '<base64url, 32 bytes>' },
      },
    },
  })
  encryption(@Body(new ZodPipe(EncryptionKeysSchema)) body: EncryptionKeys) {
    return this.keys.encryptionKeys(body);
  }

  @Post('release')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Data keys to decrypt for a delivery, released only for a live grant (platform services only)',
  })
  @ApiZodBody(KeyReleaseSchema)
  @Problems({ ...internalProblems, 403: ['GRANT.NOT_ACTIVE'] })
  @Responds(200, ReleasedKeysSchema, {
    description: 'The keys still alive, and the ids of destroyed ones',
    example: {
      keys: [{ kid: '0e6f7a3b-1c2d-4e5f-8a9b-0c1d2e3f4a5b', key: '<base64url, 32 bytes>' }],
      destroyed: ['5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d'],
    },
  })
  release(@Body(new ZodPipe(KeyReleaseSchema)) body: KeyRelease) {
    return this.keys.release(body);
  }
}
