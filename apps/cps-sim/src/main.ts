import { systemClock } from '#libs/domain';
import { TokenVerifier } from '#libs/auth';
import {
  createHttpApp,
  createLogger,
  listenAndServe,
  loadConfig,
  routeProcessWarnings,
} from '#libs/platform';
import { RenkeiClient } from '#libs/sdk';
import { cpsConfigSchema } from './cps-sim.config.js';
import type { CpsContext } from './cps-sim.context.js';
import { CpsSimModule } from './cps-sim.module.js';
import { describeCpsSim } from './cps-sim.description.js';
import type { InputsService } from './inputs/inputs.service.js';
import { ScenariosService } from './scenarios/scenarios.service.js';

const config = loadConfig(cpsConfigSchema);
const logger = createLogger('cps-sim', config.LOG_LEVEL);
routeProcessWarnings(logger);

let context: CpsContext = { services: null, clientId: null, operators: new Set(config.CPS_OPERATORS) };
let inputs: InputsService | null = null;
if (config.CPS_CLIENT_ID && config.CPS_PRIVATE_JWK) {
  // Loaded only with an identity: the engine (#libs/simulation) is not needed to run unconfigured.
  const [{ InputsService }, { RunsService }, { DerivedService }] = await Promise.all([
    import('./inputs/inputs.service.js'),
    import('./scenarios/runs.service.js'),
    import('./derived/derived.service.js'),
  ]);
  const client = new RenkeiClient(
    { registry: config.REGISTRY_URL, clearing: config.CLEARING_URL, exchange: config.EXCHANGE_URL },
    { clientId: config.CPS_CLIENT_ID, privateJwk: config.CPS_PRIVATE_JWK },
  );
  inputs = new InputsService(client, logger.child({ component: 'inputs' }), {
    pollMs: config.CPS_GRANT_POLL_MS,
  });
  const runs = new RunsService(inputs, logger.child({ component: 'runs' }));
  context = {
    ...context,
    clientId: config.CPS_CLIENT_ID,
    services: {
      inputs,
      scenarios: new ScenariosService(),
      runs,
      derived: new DerivedService(client, inputs, runs),
    },
  };
  for (const dataset of config.CPS_DATASETS) inputs.follow(dataset);
  void inputs.resume().then((n) => logger.info({ grants: n }, 'resumed the inputs our grants cover'));
  logger.info({ participant: config.CPS_CLIENT_ID, datasets: config.CPS_DATASETS }, 'following inputs');
} else {
  logger.warn('no CPS_CLIENT_ID / CPS_PRIVATE_JWK: the service answers 503 CPS.NOT_CONFIGURED until set');
}

const verifier = TokenVerifier.remote(
  `${config.CLEARING_URL}/.well-known/jwks.json`,
  config.TOKEN_ISSUER,
  systemClock,
);
const app = await createHttpApp(
  CpsSimModule.register({
    context,
    verifier,
    health: () =>
      Promise.resolve({
        process: 'up' as const,
        identity: context.services ? ('up' as const) : ('not-configured' as const),
      }),
  }),
  describeCpsSim,
  logger,
);
await listenAndServe(app, {
  host: config.HOST,
  port: config.PORT,
  logger,
  onClose: async () => {
    await inputs?.stop();
  },
});
