/**
 * Authentication and the one request path every call takes: a client assertion signed by the participant's
 * own key (RFC 7523) exchanged for a platform token, cached until 30 s before it expires.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, importJWK, type JWK } from 'jose';
import { json, send } from '../client.js';
import type { PlatformToken } from './dto.js';

export interface Endpoints {
  registry: string;
  clearing: string;
  exchange: string;
  /** The CPS simulation service (only for the `sim` calls). */
  cpsSim?: string;
}

export interface Credentials {
  /** Participant id (or `consortium-admin` for the bootstrap admin). */
  clientId: string;
  /** The private JWK whose public part was registered at onboarding. */
  privateJwk: JWK;
}

/** What every area of RenkeiClient builds on (see renkei-client.ts). */
export class Session {
  private token: { value: string; expiresAt: number } | undefined;

  constructor(
    readonly endpoints: Endpoints,
    readonly credentials: Credentials,
  ) {}

  /** A fresh, single-use client assertion (5 min max), signed with the participant's key. */
  async clientAssertion(audience = 'urn:renkei:clearing'): Promise<string> {
    const alg = this.credentials.privateJwk.alg ?? 'ES256';
    const key = await importJWK(this.credentials.privateJwk, alg);
    return new SignJWT({})
      .setProtectedHeader({ alg, kid: this.credentials.privateJwk.kid })
      .setIssuer(this.credentials.clientId)
      .setSubject(this.credentials.clientId)
      .setAudience(audience)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(key);
  }

  async platformToken(): Promise<string> {
    if (this.token && this.token.expiresAt - Date.now() > 30_000) return this.token.value;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await this.clientAssertion(),
    });
    const res = await json<PlatformToken>(
      await send(`${this.endpoints.clearing}/oauth/token`, { method: 'POST', body }),
    );
    this.token = { value: res.access_token, expiresAt: Date.now() + res.expires_in * 1000 };
    return res.access_token;
  }

  /**
   * Every authenticated request: the platform token (or `token`), a JSON body (or `raw` text with its
   * content type), and an error answer thrown as RenkeiError. Returns the successful response unread.
   */
  protected async request(
    base: keyof Endpoints,
    method: string,
    path: string,
    options: { body?: unknown; raw?: { text: string; contentType: string }; token?: string } = {},
  ): Promise<Response> {
    const root = this.endpoints[base];
    if (!root) throw new TypeError(`No ${base} endpoint: add "${base}" to the endpoints`);
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.token ?? (await this.platformToken())}`,
    };
    let body: string | undefined;
    if (options.raw) {
      headers['content-type'] = options.raw.contentType;
      body = options.raw.text;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await send(`${root}${path}`, { method, headers, body });
    if (!response.ok) await json(response);
    return response;
  }

  protected async call<T>(
    base: keyof Endpoints,
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<T> {
    return json<T>(await this.request(base, method, path, { body, token }));
  }
}
