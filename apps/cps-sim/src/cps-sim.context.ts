import { forbidden, unavailable } from '#libs/domain';
import type { Principal } from '#libs/auth';
import type { DerivedService } from './derived/derived.service.js';
import type { InputsService } from './inputs/inputs.service.js';
import type { RunsService } from './scenarios/runs.service.js';
import type { ScenariosService } from './scenarios/scenarios.service.js';

export const CPS = Symbol('CPS');

/** What the controllers work with; `services` is null while the service has no participant identity. */
export interface CpsContext {
  services: {
    inputs: InputsService;
    scenarios: ScenariosService;
    runs: RunsService;
    derived: DerivedService;
  } | null;
  /** The service's own participant id, and the operators allowed to use its API. */
  clientId: string | null;
  operators: ReadonlySet<string>;
}

/** The services, or 503 CPS.NOT_CONFIGURED with what the operator must do. */
export function servicesOf(context: CpsContext): NonNullable<CpsContext['services']> {
  if (!context.services) {
    throw unavailable(
      'CPS.NOT_CONFIGURED',
      'The CPS service has no participant identity yet',
      'Onboard it as a participant (POST /participants at the registry, with the public part of its key), then start it with CPS_CLIENT_ID and CPS_PRIVATE_JWK',
    );
  }
  return context.services;
}

/**
 * The API works on data the service received under its own grants: only the service's own identity, the
 * consortium admin and the configured operators may use it. Everyone else receives results as derived
 * datasets through the exchange, where the policy decides.
 */
export function assertOperator(context: CpsContext, principal: Principal): void {
  if (
    principal.participantId === context.clientId ||
    principal.scopes.has('participants:admin') ||
    context.operators.has(principal.participantId)
  ) {
    return;
  }
  throw forbidden(
    'CPS.NOT_OPERATOR',
    'Only the CPS service operators may use this API',
    'Subscribe to the derived datasets (cps.*) through the exchange instead: the policy decides what you may receive',
  );
}
