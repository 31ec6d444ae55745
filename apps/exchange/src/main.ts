import { runService } from '@renkei/platform';
import { composeExchange } from './exchange.composition.js';
import { exchangeConfigSchema, exchangeRequiredInProduction } from './exchange.config.js';
import { describeExchange } from './exchange.description.js';
import { SubscribeService } from './subscribe/subscribe.service.js';

await runService({
  service: describeExchange,
  config: exchangeConfigSchema,
  requiredInProduction: exchangeRequiredInProduction,
  compose: composeExchange,
  // Open streams end with SERVICE.STOPPING first (an `end` line with their position): they would hold the
  // server's close.
  beforeClose: (app) => app.get(SubscribeService).closeAll(),
});
