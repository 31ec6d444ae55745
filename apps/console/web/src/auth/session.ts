/**
 * A signed-in person: the participant's held key signs a fresh RFC 7523 client assertion for every platform
 * token, in the browser. The token is kept in memory only and renewed 30 s before it expires.
 */
import { SignJWT } from 'jose';
import { readProblem } from '../api/problem';
import type { HeldKey } from './keys';

export type Role = 'admin' | 'compliance' | 'member';

export interface Identity {
  participant: string;
  name: string;
  roles: Role[];
  status?: string;
}

export const ADMIN_ID = 'consortium-admin';

export class Session {
  private token: { value: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(readonly held: HeldKey) {}

  get participant(): string {
    return this.held.participant;
  }

  private async assertion(): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', ...(this.held.kid ? { kid: this.held.kid } : {}) })
      .setIssuer(this.held.participant)
      .setSubject(this.held.participant)
      .setAudience('urn:renkei:clearing')
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(this.held.key);
  }

  /** A platform token for the API calls (one request at a time refreshes it). */
  async platformToken(): Promise<string> {
    if (this.token && this.token.expiresAt - Date.now() > 30_000) return this.token.value;
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await this.assertion(),
    });
    const res = await fetch('/api/clearing/oauth/token', { method: 'POST', body });
    if (!res.ok) throw await readProblem(res);
    const json = (await res.json()) as { access_token: string; expires_in: number };
    this.token = { value: json.access_token, expiresAt: Date.now() + json.expires_in * 1000 };
    return json.access_token;
  }
}
