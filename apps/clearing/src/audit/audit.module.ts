import { Module, type DynamicModule } from '@nestjs/common';
import { DatasetsModule } from '../datasets/datasets.module.js';
import { AuditController } from './audit.controller.js';
import { AuditExportService } from './audit-export.service.js';
import { AuditQueryService } from './audit-query.service.js';
import { AuditUsageController } from './audit-usage.controller.js';
import { AuditUsageService } from './audit-usage.service.js';
import { AuditVerifyService } from './audit-verify.service.js';
import { AuditCheckpointer } from './checkpoints.js';

/**
 * The audit record as people read it: compliance queries and exports, originators' usage and receipts,
 * signed checkpoints and verification. Appending is not here: every feature appends in its own
 * transaction (audit-log.ts). The checkpointer is built by main.ts (it runs a timer); null only where the
 * module is built for its OpenAPI document.
 */
@Module({})
export class AuditModule {
  static register(checkpoints: AuditCheckpointer | null): DynamicModule {
    return {
      module: AuditModule,
      imports: [DatasetsModule],
      controllers: [AuditController, AuditUsageController],
      providers: [
        { provide: AuditCheckpointer, useValue: checkpoints },
        AuditQueryService,
        AuditExportService,
        AuditUsageService,
        AuditVerifyService,
      ],
    };
  }
}
