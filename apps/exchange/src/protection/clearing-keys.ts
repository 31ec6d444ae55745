import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { DomainError, unavailable } from '@renkei/domain';
import { relayedCode } from '@renkei/domain';

export interface WireKey {
  kid: string;
  key: string;
}

/**
 * The exchange's client for clearing's internal data-key endpoints. It authenticates as a platform
 * service with a short-lived ES256 JWT signed by its own key (SERVICE_KEY); clearing holds the public part.
 */
export class ClearingKeysClient {
  private token: { value: string; expiresAt: number } | null = null;

  private constructor(
    private readonly clearingUrl: string,
    private readonly privateKey: CryptoKey,
    private readonly kid: string,
  ) {}

  static async create(clearingUrl: string, serviceKeyJson: string): Promise<ClearingKeysClient> {
    const jwk = JSON.parse(serviceKeyJson) as JWK;
    if (!jwk.d || !jwk.kid) throw new Error('SERVICE_KEY must be a private ES256 JWK with a kid');
    const key = (await importJWK({ ...jwk, alg: 'ES256' }, 'ES256')) as CryptoKey;
    return new ClearingKeysClient(clearingUrl, key, jwk.kid);
  }

  encryptionKeys(originator: string, dataset: string, subjects: string[]) {
    return this.post<{ dataset: WireKey; subjects: Record<string, WireKey> }>('encryption', {
      originator,
      dataset,
      subjects,
    });
  }

  release(grantId: string, consumer: string, dataset: string, kids: string[]) {
    return this.post<{ keys: WireKey[]; destroyed: string[] }>('release', {
      grantId,
      consumer,
      dataset,
      kids,
    });
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.clearingUrl}/internal/data-keys/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await this.serviceToken()}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (cause) {
      throw unavailable(
        'CLEARING.UNAVAILABLE',
        'Clearing (data keys) is not reachable',
        'Retry in a few seconds',
        cause,
      );
    }
    const text = await response.text();
    if (!response.ok) {
      let problem: { code?: string; detail?: string; hint?: string } = {};
      try {
        problem = (text ? JSON.parse(text) : {}) as typeof problem;
      } catch {
        // Not a problem document (e.g. a proxy's error page): the status alone decides.
      }
      if (response.status === 403) {
        throw new DomainError(
          relayedCode(problem.code ?? 'GRANT.NOT_ACTIVE'),
          'forbidden',
          problem.detail ?? 'Key release refused',
        );
      }
      throw unavailable(
        'CLEARING.UNAVAILABLE',
        `Clearing refused the key request (${response.status})`,
        'Retry in a few seconds',
      );
    }
    return JSON.parse(text) as T;
  }

  private async serviceToken(): Promise<string> {
    const now = Date.now();
    if (this.token && this.token.expiresAt - 10_000 > now) return this.token.value;
    const value = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: this.kid })
      .setIssuer('urn:renkei:exchange')
      .setAudience('urn:renkei:clearing:internal')
      .setIssuedAt()
      .setExpirationTime('60s')
      .setJti(randomUUID())
      .sign(this.privateKey);
    this.token = { value, expiresAt: now + 60_000 };
    return value;
  }
}
