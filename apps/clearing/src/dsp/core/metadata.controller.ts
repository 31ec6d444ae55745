import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Responds } from '@renkei/platform';
import { DSP_VERSION } from './dsp-messages.js';

const VersionsSchema = z.object({
  protocolVersions: z.array(
    z.object({
      version: z.string().describe('The DSP version, e.g. 2025-1'),
      path: z.string().describe('Where its endpoints are, relative to this base URL'),
      binding: z.string().describe('HTTPS'),
    }),
  ),
});

const versions = { protocolVersions: [{ version: DSP_VERSION, path: '/dsp', binding: 'HTTPS' }] };

@ApiTags('dataspace protocol')
@Controller('.well-known')
export class DspMetadataController {
  @Get('dspace-version')
  @Header('cache-control', 'public, max-age=300')
  @ApiOperation({
    summary: 'The Dataspace Protocol versions this connector speaks, and where (DSP 2025-1 metadata)',
    description: 'Plain JSON, no authentication: a peer connector reads it before anything else.',
  })
  @Responds(200, VersionsSchema, { description: 'The versions', example: versions })
  versions() {
    return versions;
  }
}
