import { forbidden, unavailable } from '@renkei/domain';
import type { Principal } from '@renkei/auth';

/** 503 CPS.NOT_CONFIGURED, with what the operator must do. */
export const notConfigured = () =>
  unavailable(
    'CPS.NOT_CONFIGURED',
    'The CPS service has no participant identity yet',
    'Onboard it as a participant (POST /participants at the registry, with the public part of its key), then start it with CPS_CLIENT_ID and CPS_PRIVATE_JWK',
  );

/** The service's own participant id (null until it has an identity), and who may use its API. */
export class CpsIdentity {
  constructor(
    readonly clientId: string | null,
    readonly operators: ReadonlySet<string>,
  ) {}

  /**
   * The API works on data the service received under its own grants: only the service's own identity,
   * the consortium admin and the configured operators may use it. Everyone else receives results as
   * derived datasets through the exchange, where the policy decides.
   */
  assertOperator(principal: Principal): void {
    if (
      principal.participantId === this.clientId ||
      principal.scopes.has('participants:admin') ||
      this.operators.has(principal.participantId)
    ) {
      return;
    }
    throw forbidden(
      'CPS.NOT_OPERATOR',
      'Only the CPS service operators may use this API',
      'Subscribe to the derived datasets (cps.*) through the exchange instead: the policy decides what you may receive',
    );
  }
}
