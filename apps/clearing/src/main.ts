import { runService } from '@renkei/platform';
import { composeClearing, startClearing } from './clearing.composition.js';
import { clearingConfigSchema } from './clearing.config.js';
import { describeClearing } from './clearing.description.js';

await runService({
  service: describeClearing,
  config: clearingConfigSchema,
  // Without these the demo and the tests still run; a production clearing has an admin and an exchange.
  requiredInProduction: ['KEY_ENCRYPTION_KEY', 'ADMIN_JWKS', 'EXCHANGE_JWKS'],
  compose: composeClearing,
  started: startClearing,
});
