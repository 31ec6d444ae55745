import { Module } from '@nestjs/common';
import { ContractsController } from './contracts.controller.js';
import { ContractsRepository } from './contracts.repository.js';
import { ContractsService } from './contracts.service.js';
import { OdcsController } from './odcs.controller.js';
import { PrismaContractsRepository } from './prisma-contracts.repository.js';

/** Versioned data contracts: registration, lifecycle, compatibility, lineage, and ODCS import/export. */
@Module({
  controllers: [OdcsController, ContractsController],
  providers: [ContractsService, { provide: ContractsRepository, useClass: PrismaContractsRepository }],
  exports: [ContractsService],
})
export class ContractsModule {}
