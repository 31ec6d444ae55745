import { Module } from '@nestjs/common';
import { ContractCatalog, ProjectedContractCatalog } from './contract-catalog.js';

/** Where a publish finds its contract and is validated against the contract's schema. */
@Module({
  providers: [{ provide: ContractCatalog, useClass: ProjectedContractCatalog }],
  exports: [ContractCatalog],
})
export class ContractsModule {}
