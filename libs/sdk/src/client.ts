import { SignJWT, importJWK, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';

/** An error answer from a Renkei service (RFC 9457 problem+json with a stable code). */
export class RenkeiError extends Error {
  /** The service's own explanation (problem+json `detail`). */
  readonly detail: string;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problem: Record<string, unknown>,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'RenkeiError';
    this.detail = message;
  }
}

export interface Endpoints {
  registry: string;
  clearing: string;
  exchange: string;
}

export interface Credentials {
  /** Participant id (or `consortium-admin` for the bootstrap admin). */
  clientId: string;
  /** The private JWK whose public part was registered at onboarding. */
  privateJwk: JWK;
}

export type StreamLine =
  | {
      type: 'event';
      event: {
        id: string;
        dataset: string;
        originator: string;
        subject?: string;
        payload: Record<string, unknown>;
        publishedAt: string;
        contractVersion: string;
      };
      /** partition:offset — pass the last one you processed per partition as `after` to resume exactly there. */
      position: string;
    }
  | { type: 'heartbeat'; at: string }
  /** A change to the contract the stream reads under: new version, deprecated, retired. */
  | { type: 'notice'; code: string; dataset: string; version: string; message: string; reason: string | null }
  | { type: 'end'; code: string; message: string };

export interface ContractView {
  dataset: string;
  version: string;
  owner: string;
  status: 'draft' | 'active' | 'deprecated' | 'retired';
  current: boolean;
  title: string;
  description: string | null;
  domain: string;
  purposes: string[];
  sensitivity: string;
  minimumProtection: string;
  residency: string | null;
  retentionDays: number | null;
  compatibility: string;
  visibility: 'consortium' | 'invited';
  invited: string[];
  fields: Record<string, { tags: string[]; residency?: string | null; description?: string | null }>;
  schema: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface CatalogFilter {
  q?: string;
  domain?: string;
  owner?: string;
  tag?: string;
  purpose?: string;
  status?: 'active' | 'deprecated';
  limit?: number;
  cursor?: string;
}

export interface SchemaBreakView {
  kind: string;
  field: string;
  schemaPath: string;
  against: string;
  direction: 'BACKWARD' | 'FORWARD';
  message: string;
}

export interface CompatibilityReport {
  dataset: string;
  version: string;
  compatibility: string;
  checkedAgainst: string[];
  compatible: boolean;
  breaks: SchemaBreakView[];
}

function queryString(query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(key, String(value));
  }
  return params.size > 0 ? `?${params.toString()}` : '';
}

export interface DeliveryStream {
  lines: AsyncGenerator<StreamLine>;
  read(timeoutMs: number): Promise<StreamLine | null>;
  close(): void;
}

async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!response.ok) {
    const code = typeof body.code === 'string' ? body.code : `HTTP.${response.status}`;
    const detail = typeof body.detail === 'string' ? body.detail : response.statusText;
    throw new RenkeiError(response.status, code, detail, body);
  }
  return body as T;
}

/**
 * The TypeScript SDK for member companies: authenticates with a client assertion signed by the
 * participant's own key (RFC 7523), caches the platform token, and wraps the HTTP API.
 */
export class RenkeiClient {
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
    const res = await json<{ access_token: string; expires_in: number }>(
      await fetch(`${this.endpoints.clearing}/oauth/token`, { method: 'POST', body }),
    );
    this.token = { value: res.access_token, expiresAt: Date.now() + res.expires_in * 1000 };
    return res.access_token;
  }

  private async call<T>(
    base: keyof Endpoints,
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<T> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token ?? (await this.platformToken())}`,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return json<T>(
      await fetch(`${this.endpoints[base]}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  }

  // registry
  onboard(participant: Record<string, unknown>) {
    return this.call<{ id: string; legalName: string }>('registry', 'POST', '/participants', participant);
  }
  suspendParticipant(id: string) {
    return this.call<{ id: string; status: string }>('registry', 'POST', `/participants/${id}/suspend`);
  }
  reactivateParticipant(id: string) {
    return this.call<{ id: string; status: string }>('registry', 'POST', `/participants/${id}/reactivate`);
  }
  registerContract(contract: Record<string, unknown>) {
    return this.call<ContractView>('registry', 'POST', '/contracts', contract);
  }
  /** Datasets you may discover (current version each); pass `nextCursor` back as `cursor` for the next page. */
  catalog(query: CatalogFilter = {}) {
    return this.call<{ items: ContractView[]; nextCursor: string | null }>(
      'registry',
      'GET',
      `/catalog${queryString(query)}`,
    );
  }
  /** The same catalog as DCAT / Dataspace Protocol JSON-LD. */
  catalogDcat(query: CatalogFilter = {}) {
    return this.call<Record<string, unknown>>('registry', 'GET', `/catalog/dcat${queryString(query)}`);
  }
  contract(dataset: string, version?: string) {
    return this.call<ContractView>(
      'registry',
      'GET',
      version ? `/contracts/${dataset}/versions/${version}` : `/contracts/${dataset}`,
    );
  }
  contractVersions(dataset: string) {
    return this.call<ContractView[]>('registry', 'GET', `/contracts/${dataset}/versions`);
  }
  updateDraft(dataset: string, version: string, terms: Record<string, unknown>) {
    return this.call<ContractView>('registry', 'PUT', `/contracts/${dataset}/versions/${version}`, terms);
  }
  /** draft → active, active → deprecated, deprecated → retired. */
  moveContract(
    dataset: string,
    version: string,
    move: 'activate' | 'deprecate' | 'retire',
    reason: string | null = null,
  ) {
    return this.call<ContractView>('registry', 'POST', `/contracts/${dataset}/versions/${version}/${move}`, {
      reason,
    });
  }
  contractTransitions(dataset: string, version: string) {
    return this.call<{ from: string | null; to: string; actor: string; reason: string | null; at: string }[]>(
      'registry',
      'GET',
      `/contracts/${dataset}/versions/${version}/transitions`,
    );
  }
  /** Would this schema be accepted as the next version? Nothing changes. */
  checkCompatibility(dataset: string, schema: Record<string, unknown>, version?: string) {
    return this.call<CompatibilityReport>('registry', 'POST', `/contracts/${dataset}/compatibility`, {
      schema,
      ...(version ? { version } : {}),
    });
  }
  setCompatibility(dataset: string, compatibility: string) {
    return this.call<{ dataset: string; compatibility: string }>(
      'registry',
      'PUT',
      `/datasets/${dataset}/compatibility`,
      { compatibility },
    );
  }
  /** A contract version as an Open Data Contract Standard v3 document (YAML text). */
  async exportOdcs(dataset: string, version: string): Promise<string> {
    const response = await fetch(
      `${this.endpoints.registry}/contracts/${dataset}/versions/${version}/odcs?format=yaml`,
      { headers: { authorization: `Bearer ${await this.platformToken()}` } },
    );
    if (!response.ok) await json(response);
    return response.text();
  }
  /** Registers a contract version from an ODCS v3 document (YAML or JSON text). */
  async importOdcs(document: string, status: 'draft' | 'active' = 'active') {
    const yaml = !document.trimStart().startsWith('{');
    return json<{ contract: ContractView; warnings: string[] }>(
      await fetch(`${this.endpoints.registry}/contracts/odcs?status=${status}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await this.platformToken()}`,
          'content-type': yaml ? 'application/yaml' : 'application/json',
        },
        body: document,
      }),
    );
  }

  // clearing
  requestGrant(request: {
    dataset: string;
    purpose: string;
    fields?: string[] | null;
    validUntil?: string | null;
  }) {
    return this.call<{ id: string; state: string }>('clearing', 'POST', '/grants', request);
  }
  approveGrant(id: string, reason: string | null = null) {
    return this.call<{ id: string; state: string }>('clearing', 'POST', `/grants/${id}/approve`, { reason });
  }
  revokeGrant(id: string, reason: string | null = null) {
    return this.call<{ id: string; state: string }>('clearing', 'POST', `/grants/${id}/revoke`, { reason });
  }
  grants() {
    return this.call<{ id: string; state: string; dataset: string }[]>('clearing', 'GET', '/grants');
  }
  async datasetToken(dataset: string, action: 'publish' | 'subscribe', grantId?: string): Promise<string> {
    const res = await this.call<{ access_token: string }>('clearing', 'POST', '/tokens/dataset', {
      dataset,
      action,
      ...(grantId ? { grantId } : {}),
    });
    return res.access_token;
  }
  /** Changes to contracts you hold access to: new versions, deprecations, retirements. */
  notifications(unread = false) {
    return this.call<
      {
        id: string;
        kind: string;
        dataset: string;
        version: string;
        message: string;
        reason: string | null;
        at: string;
        readAt: string | null;
      }[]
    >('clearing', 'GET', `/notifications?unread=${String(unread)}`);
  }
  markNotificationRead(id: string) {
    return this.call<{ id: string; readAt: string }>('clearing', 'POST', `/notifications/${id}/read`);
  }
  auditEntries(query: Record<string, string> = {}) {
    return this.call<{
      items: {
        seq: number;
        kind: string;
        actor: string;
        dataset: string | null;
        allow: boolean | null;
        record: Record<string, unknown>;
      }[];
      next: number | null;
    }>('clearing', 'GET', `/audit/entries?${new URLSearchParams(query).toString()}`);
  }
  verifyAudit() {
    return this.call<{ ok: boolean; entries: number; problem: string | null }>(
      'clearing',
      'GET',
      '/audit/verify',
    );
  }

  // exchange
  publish(
    dataset: string,
    token: string,
    events: { id?: string; subject?: string; occurredAt?: string; payload: Record<string, unknown> }[],
    /** The contract version the payloads follow; default: the dataset's current version. */
    contractVersion?: string,
  ) {
    return this.call<{
      accepted: number;
      eventIds: string[];
      contractVersion: string;
      warnings?: string[];
    }>(
      'exchange',
      'POST',
      `/datasets/${dataset}/events`,
      { events, ...(contractVersion ? { contractVersion } : {}) },
      token,
    );
  }

  /**
   * Opens the delivery stream. `read(ms)` returns the next line, or null if none came in time (nothing is
   * lost: the pending read carries over); `lines` is the raw async iterator; `close()` ends the stream.
   * Refusals throw RenkeiError.
   */
  async stream(
    dataset: string,
    token: string,
    options: { after?: Record<number, string> } = {},
  ): Promise<DeliveryStream> {
    const controller = new AbortController();
    const after = Object.entries(options.after ?? {})
      .map(([partition, offset]) => `${partition}:${offset}`)
      .join(',');
    const query = after ? `?after=${after}` : '';
    const response = await fetch(`${this.endpoints.exchange}/datasets/${dataset}/stream${query}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    if (!response.ok || !response.body) await json(response);
    const body = response.body!;
    async function* lines(): AsyncGenerator<StreamLine> {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of body) {
          buffer += decoder.decode(chunk as Uint8Array, { stream: true });
          let newline: number;
          while ((newline = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, newline).trim();
            buffer = buffer.slice(newline + 1);
            if (line) yield JSON.parse(line) as StreamLine;
          }
        }
      } catch (error) {
        if (!controller.signal.aborted) throw error;
      }
    }
    const iterator = lines();
    let pending: Promise<IteratorResult<StreamLine>> | undefined;
    return {
      lines: iterator,
      close: () => controller.abort(),
      async read(timeoutMs: number): Promise<StreamLine | null> {
        pending ??= iterator.next();
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
        const result = await Promise.race([pending, timeout]);
        clearTimeout(timer);
        if (result === null) return null;
        pending = undefined;
        return result.done
          ? { type: 'end', code: 'STREAM.CLOSED', message: 'The connection closed' }
          : result.value;
      },
    };
  }
}
