import type { DynamicModule } from '@nestjs/common';
import { systemClock } from '@renkei/domain';
import { TokenVerifier } from '@renkei/auth';
import type { ServiceRuntime } from '@renkei/platform';
import { RenkeiClient } from '@renkei/sdk';
import type { CpsConfig } from './cps-sim.config.js';
import { CpsIdentity } from './cps-sim.identity.js';
import { CpsSimModule, type CpsEngine } from './cps-sim.module.js';
import { InputsService } from './inputs/inputs.service.js';

/**
 * With a participant identity (CPS_CLIENT_ID and CPS_PRIVATE_JWK) the service follows its inputs from the
 * start: the configured datasets, and every input its grants still cover. Without one it answers 503
 * CPS.NOT_CONFIGURED to every data call.
 */
function engineOf(runtime: ServiceRuntime<CpsConfig>): CpsEngine | null {
  const { config, logger } = runtime;
  if (!config.CPS_CLIENT_ID || !config.CPS_PRIVATE_JWK) {
    logger.warn('no CPS_CLIENT_ID / CPS_PRIVATE_JWK: the service answers 503 CPS.NOT_CONFIGURED until set');
    return null;
  }
  const client = new RenkeiClient(
    { registry: config.REGISTRY_URL, clearing: config.CLEARING_URL, exchange: config.EXCHANGE_URL },
    { clientId: config.CPS_CLIENT_ID, privateJwk: config.CPS_PRIVATE_JWK },
  );
  const inputs = new InputsService(client, logger.child({ component: 'inputs' }), {
    pollMs: config.CPS_GRANT_POLL_MS,
  });
  runtime.onClose(() => inputs.stop());
  for (const dataset of config.CPS_DATASETS) inputs.follow(dataset);
  void inputs.resume().then((n) => logger.info({ grants: n }, 'resumed the inputs our grants cover'));
  logger.info({ participant: config.CPS_CLIENT_ID, datasets: config.CPS_DATASETS }, 'following inputs');
  return { client, inputs, logger };
}

/** The CPS simulation service as main.ts starts it. */
export function composeCpsSim(runtime: ServiceRuntime<CpsConfig>): DynamicModule {
  const { config } = runtime;
  const engine = engineOf(runtime);
  return CpsSimModule.register({
    identity: new CpsIdentity(engine ? (config.CPS_CLIENT_ID ?? null) : null, new Set(config.CPS_OPERATORS)),
    engine,
    verifier: TokenVerifier.remote(
      `${config.CLEARING_URL}/.well-known/jwks.json`,
      config.TOKEN_ISSUER,
      systemClock,
    ),
    health: () =>
      Promise.resolve({
        process: 'up' as const,
        identity: engine ? ('up' as const) : ('not-configured' as const),
      }),
  });
}
