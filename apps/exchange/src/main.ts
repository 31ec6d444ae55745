import { runService } from '@renkei/platform';
import { composeExchange } from './exchange.composition.js';
import { exchangeConfigSchema } from './exchange.config.js';
import { describeExchange } from './exchange.description.js';
import { SubscribeService } from './subscribe/subscribe.service.js';

await runService({
  service: describeExchange,
  config: exchangeConfigSchema,
  compose: composeExchange,
  // Open streams end with SERVICE.STOPPING first: they would hold the server's close.
  beforeClose: (app) => app.get(SubscribeService).closeAll(),
});
