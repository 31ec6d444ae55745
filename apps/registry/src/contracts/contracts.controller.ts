import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, type Principal } from '#libs/auth';
import { ApiZodBody, ZodPipe } from '#libs/platform';
import { RegisterContractSchema, type RegisterContract, registerExample } from './contracts.dto.js';
import { ContractsService } from './contracts.service.js';

@ApiTags('contracts')
@Controller()
export class ContractsController {
  constructor(private readonly contracts: ContractsService) {}

  @Post('contracts')
  @Authenticated('api', 'contracts:write')
  @ApiOperation({
    summary: 'Publish a data contract version for a dataset you own',
    description:
      'Versions are immutable. The JSON Schema (2020-12) is compiled before it is accepted; tags name fields the schema defines.',
  })
  @ApiZodBody(RegisterContractSchema, registerExample)
  register(
    @CurrentPrincipal() actor: Principal,
    @Body(new ZodPipe(RegisterContractSchema)) body: RegisterContract,
  ) {
    return this.contracts.register(actor, body);
  }

  @Get('catalog')
  @Authenticated('api')
  @ApiOperation({ summary: 'Datasets on offer in the consortium (newest version of each)' })
  catalog() {
    return this.contracts.catalog();
  }

  @Get('contracts/:dataset')
  @Authenticated('api')
  @ApiOperation({ summary: 'The newest contract version of a dataset' })
  latest(@Param('dataset') dataset: string) {
    return this.contracts.latest(dataset);
  }

  @Get('contracts/:dataset/versions/:version')
  @Authenticated('api')
  @ApiOperation({ summary: 'One immutable contract version' })
  version(@Param('dataset') dataset: string, @Param('version') version: string) {
    return this.contracts.version(dataset, version);
  }
}
