import { unavailable } from '@renkei/domain';

/**
 * Which datasets a participant holds, or held, a grant on as consumer: clearing knows, the registry asks.
 * An abstract class so that it is its own injection token.
 */
export abstract class HeldGrants {
  /**
   * Of `datasets`, those on which the caller (named by its own bearer token, so only its own grants can
   * be read) holds a grant or held one that was approved. Throws 503 CLEARING.UNAVAILABLE when clearing
   * does not answer: nothing is verified without it.
   */
  abstract held(authorization: string, datasets: readonly string[]): Promise<Set<string>>;
}

interface GrantSummary {
  state: string;
  historyFrom?: string | null;
}

/** Approved at some point: the history term is set on approval (granted, then suspended, revoked, expired). */
const wasApproved = (g: GrantSummary) =>
  g.state === 'granted' ||
  g.state === 'suspended' ||
  ((g.state === 'revoked' || g.state === 'expired') && g.historyFrom != null);

/** Asks clearing's grant list with the caller's own token (GET /grants?role=consumer&dataset=…). */
export class ClearingHeldGrants implements HeldGrants {
  constructor(
    private readonly clearingUrl: string,
    private readonly timeoutMs = 5_000,
  ) {}

  async held(authorization: string, datasets: readonly string[]): Promise<Set<string>> {
    const answers = await Promise.all(
      [...new Set(datasets)].map(async (dataset) => {
        const url = `${this.clearingUrl}/grants?role=consumer&dataset=${encodeURIComponent(dataset)}`;
        let response: Response;
        try {
          response = await fetch(url, {
            headers: { authorization, accept: 'application/json' },
            signal: AbortSignal.timeout(this.timeoutMs),
          });
        } catch (cause) {
          throw unavailable(
            'CLEARING.UNAVAILABLE',
            'Clearing, which knows your grants, did not answer: the lineage cannot be verified',
            'Retry in a few seconds',
            cause,
          );
        }
        if (response.status >= 500) {
          throw unavailable(
            'CLEARING.UNAVAILABLE',
            `Clearing answered ${response.status}: the lineage cannot be verified`,
            'Retry in a few seconds',
          );
        }
        // A token clearing does not accept (e.g. without grants:read) shows no grants: nothing is verified.
        if (!response.ok) return null;
        const grants = (await response.json()) as GrantSummary[];
        return Array.isArray(grants) && grants.some(wasApproved) ? dataset : null;
      }),
    );
    return new Set(answers.filter((d): d is string => d !== null));
  }
}
