import { Module } from '@nestjs/common';
import { DatasetsModule } from '../datasets/datasets.module.js';
import { ConsentsOverviewController } from './consents-overview.controller.js';
import { ConsentsOverviewService } from './consents-overview.service.js';
import { ConsentsController } from './consents.controller.js';
import { ConsentsService } from './consents.service.js';

/** Persons' consents (FHIR R5) and opt-outs, recorded by the originator of the person's data. */
@Module({
  imports: [DatasetsModule],
  controllers: [ConsentsController, ConsentsOverviewController],
  providers: [ConsentsService, ConsentsOverviewService],
})
export class ConsentsModule {}
