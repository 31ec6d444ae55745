import { runService } from '@renkei/platform';
import { composeClearing, startClearing } from './clearing.composition.js';
import { clearingConfigSchema, clearingRequiredInProduction } from './clearing.config.js';
import { describeClearing } from './clearing.description.js';

await runService({
  service: describeClearing,
  config: clearingConfigSchema,
  requiredInProduction: clearingRequiredInProduction,
  compose: composeClearing,
  started: startClearing,
});
