import { Module } from '@nestjs/common';
import { ContractsController } from './contracts.controller.js';
import { ContractsService } from './contracts.service.js';
import { OdcsController } from './odcs.controller.js';

/** Versioned data contracts: registration, lifecycle, compatibility, lineage, and ODCS import/export. */
@Module({
  controllers: [OdcsController, ContractsController],
  providers: [ContractsService],
  exports: [ContractsService],
})
export class ContractsModule {}
