import { Module } from '@nestjs/common';
import { DatasetOwners } from './dataset-owners.js';

/** Who owns which dataset, from the registry projection: for every originator-only route. */
@Module({
  providers: [DatasetOwners],
  exports: [DatasetOwners],
})
export class DatasetsModule {}
