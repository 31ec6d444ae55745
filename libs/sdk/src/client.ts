import { SignJWT, createLocalJWKSet, importJWK, jwtVerify, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import type { ProblemCode } from '#libs/domain';

/** An error answer from a Renkei service (RFC 9457 problem+json with a stable code). */
export class RenkeiError extends Error {
  /** The service's own explanation (problem+json `detail`). */
  readonly detail: string;
  constructor(
    readonly status: number,
    /** A code of the catalogue (docs/errors.md), or `HTTP.<status>`; a newer service may send one this SDK lacks. */
    readonly code: ProblemCode,
    message: string,
    readonly problem: Record<string, unknown>,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'RenkeiError';
    this.detail = message;
  }
}

/**
 * A service could not be reached at all (refused, unknown host, reset, timeout): no HTTP answer came.
 * A TypeError, like the `fetch failed` it wraps (`cause`).
 */
export class RenkeiUnreachableError extends TypeError {
  constructor(
    readonly url: string,
    /** The system error code, e.g. ECONNREFUSED or ENOTFOUND (else fetch's reason, or `FETCH_FAILED`). */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot reach ${url} (${code})`, options);
    this.name = 'RenkeiUnreachableError';
  }
}

/** fetch, with a failure to connect reported as RenkeiUnreachableError (an aborted request rethrows as is). */
async function send(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (init?.signal?.aborted || !(error instanceof TypeError)) throw error;
    const cause = (error as { cause?: { code?: unknown; message?: unknown; errors?: { code?: unknown }[] } })
      .cause;
    const code = cause?.code ?? cause?.errors?.find((e) => e.code)?.code ?? cause?.message;
    throw new RenkeiUnreachableError(new URL(url).origin, typeof code === 'string' ? code : 'FETCH_FAILED', {
      cause: error,
    });
  }
}

export interface Endpoints {
  registry: string;
  clearing: string;
  exchange: string;
  /** The CPS simulation service (only for the `sim` calls). */
  cpsSim?: string;
}

export type ScenarioKind = 'disruption' | 'method-switch' | 'cfp-rollup' | 'hospital-occupancy';

export interface ScenarioView {
  id: string;
  name: string;
  kind: ScenarioKind;
  params: Record<string, unknown>;
  createdBy: string;
  createdAt: string;
}

export interface SimRunView {
  id: string;
  scenario: string;
  name: string;
  kind: ScenarioKind;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress: number;
  startedAt: string;
  finishedAt: string | null;
  /** Lineage: each input dataset, its contract version, the events and last event the run was built from. */
  inputs: {
    dataset: string;
    version: string;
    events: number;
    lastEventId: string | null;
    originators: string[];
  }[];
  twin: { digest: string; asOf: string | null };
  seed: number | null;
  params: Record<string, unknown>;
  error: string | null;
  published: { dataset: string; version: string; eventIds: string[] } | null;
}

export interface SimRunResult {
  run: SimRunView;
  result: Record<string, unknown>;
  /** The main series as chart-ready rows (long format), with the fields to plot. */
  chart: {
    title: string;
    mark: 'line' | 'bar';
    x: { field: string; title: string; type: string };
    y: { field: string; title: string };
    series: string;
    dash?: string;
    rows: Record<string, string | number>[];
  };
}

export interface SimInputView {
  dataset: string;
  purpose: string | null;
  grant: { id: string; state: string } | null;
  state: string;
  eventsApplied: number;
  lastEventId: string | null;
  positions: Record<string, string>;
  contractVersions: string[];
  lastError: string | null;
}

export interface SimTwinView {
  asOf: string | null;
  digest: string;
  counts: { facilities: number; bom: number; links: number; hospitals: number };
  inputs: SimRunView['inputs'];
  sources: { dataset: string; lastEventId: string | null; events: number }[];
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
        /** The event type (the envelope's `type`). */
        type: string;
        originator: string;
        subject?: string;
        payload: Record<string, unknown>;
        /** When it happened, as the publisher said (defaults to the publish time). */
        occurredAt: string;
        publishedAt: string;
        contractVersion: string;
        /** Protected fields whose data key was destroyed (crypto-shredded): gone for good. */
        erased?: string[];
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

/** An exception to a consent's decision (or to its parent exception), with the scopes it applies to. */
export interface ConsentProvision {
  purposes?: string[];
  recipients?: string[];
  period?: { start: string | null; end: string | null };
  dataPeriod?: { start: string | null; end: string | null };
  recordTypes?: string[];
  labels?: string[];
  actions?: string[];
  provisions?: ConsentProvision[];
}

/** One of a person's consents: the base decision and its exceptions (FHIR R5; see PersonConsentView). */
export interface PersonConsent {
  originator: string;
  subjectRef: string;
  consentId: string;
  dataset: string;
  decision: 'permit' | 'deny' | 'withdrawn';
  provisions: ConsentProvision[];
  validFrom: string | null;
  validUntil: string | null;
  recordedAt: string;
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

export type DeletionMethod = 'crypto-erase' | 'overwrite' | 'delete' | 'physical-destruction';

/** A grant as clearing shows it to its two parties. */
export interface GrantRecord {
  id: string;
  state: string;
  originator: string;
  consumer: string;
  dataset: string;
  purpose: string;
  fields: string[] | null;
  validFrom: string;
  validUntil: string | null;
  onwardTransfer: boolean;
  deletionDays: number;
  /** From when the grant covers the topic's past: 'all', an ISO time, or null until approved. */
  historyFrom: string | null;
  /** What the consumer asked for in its request. */
  historyRequested: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What a consumer owes the originator once a grant it held has ended. */
export interface DeletionObligation {
  id: string;
  grant: string;
  consumer: string;
  originator: string;
  dataset: string;
  cause: 'revoked' | 'expired';
  dueAt: string;
  status: 'open' | 'confirmed' | 'overdue';
  /** Flagged to compliance: the deadline passed before the receipt came (stays true once confirmed). */
  late: boolean;
  flaggedAt: string | null;
  confirmedAt: string | null;
  receipt: { jws: string; claims: Record<string, unknown> } | null;
  createdAt: string;
}

export interface DeletionObligationFilter {
  role?: 'consumer' | 'originator' | 'any';
  status?: 'open' | 'confirmed' | 'overdue';
  dataset?: string;
  grant?: string;
}

export interface DeletionReceiptInput {
  /** Your participant id (the consumer's). */
  consumer: string;
  obligation: string;
  grant: string;
  dataset: string;
  method: DeletionMethod;
  /** When the last copy was deleted; default now. */
  deletedAt?: string | Date;
}

/** The JWS `typ` of a deletion receipt. */
export const DELETION_RECEIPT_TYP = 'deletion-receipt+jwt';

/**
 * Signs a deletion receipt with your own private key (an EC P-256 JWK: receipts are ES256 only): a compact
 * JWS the clearing service verifies against the keys registered for you, and keeps as the record that you
 * deleted every copy of what the grant gave you.
 */
export async function signDeletionReceipt(privateJwk: JWK, input: DeletionReceiptInput): Promise<string> {
  if (privateJwk.kty !== 'EC' || privateJwk.crv !== 'P-256' || !privateJwk.d) {
    throw new TypeError('A deletion receipt is signed with ES256: pass your private EC P-256 JWK');
  }
  const deletedAt =
    input.deletedAt === undefined ? new Date().toISOString() : new Date(input.deletedAt).toISOString();
  const key = await importJWK(privateJwk, 'ES256');
  return new SignJWT({
    grant: input.grant,
    dataset: input.dataset,
    deletedAt,
    method: input.method,
    scope: 'all-copies',
  })
    .setProtectedHeader({
      alg: 'ES256',
      typ: DELETION_RECEIPT_TYP,
      ...(privateJwk.kid ? { kid: privateJwk.kid } : {}),
    })
    .setIssuer(input.consumer)
    .setSubject(input.obligation)
    .setIssuedAt()
    .setJti(randomUUID())
    .sign(key);
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
    const code = (typeof body.code === 'string' ? body.code : `HTTP.${response.status}`) as ProblemCode;
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
      await send(`${this.endpoints.clearing}/oauth/token`, { method: 'POST', body }),
    );
    this.token = { value: res.access_token, expiresAt: Date.now() + res.expires_in * 1000 };
    return res.access_token;
  }

  /**
   * Every authenticated request: the platform token (or `token`), a JSON body (or `raw` text with its
   * content type), and an error answer thrown as RenkeiError. Returns the successful response unread.
   */
  private async request(
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

  private async call<T>(
    base: keyof Endpoints,
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<T> {
    return json<T>(await this.request(base, method, path, { body, token }));
  }

  // registry
  onboard(participant: Record<string, unknown>) {
    return this.call<{ id: string; legalName: string }>('registry', 'POST', '/participants', participant);
  }
  suspendParticipant(id: string) {
    return this.call<{ id: string; status: string }>('registry', 'POST', `/participants/${id}/suspend`);
  }
  /** Consortium admin: attests a participant's certifications and protection level (the policies read them). */
  attestParticipant(id: string, attestations: { certifications: string[]; protection: string }) {
    return this.call<{ id: string; certifications: string[]; protection: string }>(
      'registry',
      'PUT',
      `/participants/${id}/attestations`,
      attestations,
    );
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
    const response = await this.request(
      'registry',
      'GET',
      `/contracts/${dataset}/versions/${version}/odcs?format=yaml`,
    );
    return response.text();
  }
  /** Registers a contract version from an ODCS v3 document (YAML or JSON text). */
  /** `status`: override the document's own (draft/proposed → draft, active → active). */
  async importOdcs(document: string, status?: 'draft' | 'active') {
    const yaml = !document.trimStart().startsWith('{');
    return json<{ contract: ContractView; warnings: string[] }>(
      await this.request('registry', 'POST', `/contracts/odcs${status ? `?status=${status}` : ''}`, {
        raw: { text: document, contentType: yaml ? 'application/yaml' : 'application/json' },
      }),
    );
  }

  // clearing
  requestGrant(request: {
    dataset: string;
    purpose: string;
    fields?: string[] | null;
    validUntil?: string | null;
    onwardTransfer?: boolean;
    /** Days after the grant ends by which you must delete what you received (default 30). */
    deletionDays?: number;
    /** The past you ask for: 'all', or events published since an ISO time (default: from approval). */
    historyFrom?: string | null;
  }) {
    return this.call<GrantRecord>('clearing', 'POST', '/grants', request);
  }
  /**
   * Approves a request (originator). `historyFrom` decides how much of the topic's past the consumer may
   * read: 'all', or an ISO time; default: what the consumer asked for, else nothing published before now.
   */
  approveGrant(id: string, reason: string | null = null, options: { historyFrom?: string } = {}) {
    return this.call<GrantRecord>('clearing', 'POST', `/grants/${id}/approve`, { reason, ...options });
  }
  /** One grant you are a party to, with its terms (history included). */
  grant(id: string) {
    return this.call<GrantRecord>('clearing', 'GET', `/grants/${id}`);
  }
  revokeGrant(id: string, reason: string | null = null) {
    return this.call<{ id: string; state: string }>('clearing', 'POST', `/grants/${id}/revoke`, { reason });
  }
  grants() {
    return this.call<GrantRecord[]>('clearing', 'GET', '/grants');
  }
  async datasetToken(dataset: string, action: 'publish' | 'subscribe', grantId?: string): Promise<string> {
    const res = await this.call<{ access_token: string }>('clearing', 'POST', '/tokens/dataset', {
      dataset,
      action,
      ...(grantId ? { grantId } : {}),
    });
    return res.access_token;
  }
  /** Records persons' consents and opt-outs from HL7 FHIR R5 Consent resources (a Consent or a Bundle). */
  importConsents(fhir: Record<string, unknown>) {
    return this.call<{ recorded: number; consents: PersonConsent[] }>(
      'clearing',
      'POST',
      '/person-consents/fhir',
      fhir,
    );
  }
  optOut(subjectRef: string, dataset = '*', withdraw = false) {
    return this.call<PersonConsent>('clearing', 'POST', '/person-consents/opt-out', {
      subjectRef,
      dataset,
      ...(withdraw ? { withdraw } : {}),
    });
  }

  personConsents(subject?: string) {
    return this.call<PersonConsent[]>(
      'clearing',
      'GET',
      `/person-consents${subject ? `?subject=${encodeURIComponent(subject)}` : ''}`,
    );
  }
  /** Destroys a person's data keys (their protected fields become unreadable everywhere) and opts them out. */
  erasePerson(subjectRef: string, dataset = '*', reason?: string) {
    return this.call<{ subjectRef: string; dataset: string; keysDestroyed: number; at: string }>(
      'clearing',
      'POST',
      `/persons/${encodeURIComponent(subjectRef)}/erase`,
      { dataset, ...(reason ? { reason } : {}) },
    );
  }
  /** Crypto-shreds a dataset you own: every copy of its protected fields becomes unreadable. */
  destroyDatasetKeys(dataset: string, reason: string) {
    return this.call<{ dataset: string; destroyed: number; at: string }>(
      'clearing',
      'POST',
      `/datasets/${dataset}/keys/destroy`,
      { reason },
    );
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
  /** What you must delete (as consumer) and what others must delete of your data (as originator). */
  deletionObligations(query: DeletionObligationFilter = {}) {
    return this.call<DeletionObligation[]>('clearing', 'GET', `/deletion-obligations${queryString(query)}`);
  }
  deletionObligation(id: string) {
    return this.call<DeletionObligation>('clearing', 'GET', `/deletion-obligations/${id}`);
  }
  /** Posts a receipt you signed yourself (see signDeletionReceipt). */
  submitDeletionReceipt(id: string, receipt: string) {
    return this.call<DeletionObligation>('clearing', 'POST', `/deletion-obligations/${id}/receipt`, {
      receipt,
    });
  }
  /** Confirms you deleted every copy: signs the receipt with your own key and posts it. */
  async confirmDeletion(id: string, options: { method: DeletionMethod; deletedAt?: string | Date }) {
    const obligation = await this.deletionObligation(id);
    const receipt = await signDeletionReceipt(this.credentials.privateJwk, {
      consumer: this.credentials.clientId,
      obligation: obligation.id,
      grant: obligation.grant,
      dataset: obligation.dataset,
      method: options.method,
      deletedAt: options.deletedAt,
    });
    return this.submitDeletionReceipt(id, receipt);
  }
  /** Compliance: obligations past their deadline without a receipt (`confirmed`: confirmed late; `any`: both). */
  overdueDeletions(
    query: {
      status?: 'overdue' | 'confirmed' | 'any';
      consumer?: string;
      dataset?: string;
      limit?: number;
    } = {},
  ) {
    return this.call<DeletionObligation[]>(
      'clearing',
      'GET',
      `/deletion-obligations/overdue${queryString(query)}`,
    );
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
  /**
   * Re-walks the audit chain against every stored checkpoint and, if given, one you kept (a receipt's
   * `checkpoint.jws`): any participant may check its receipts; without one it needs audit:read.
   */
  auditVerify(checkpoint?: string) {
    return checkpoint
      ? this.call<AuditVerifyReport>('clearing', 'POST', '/audit/verify', { checkpoint })
      : this.call<AuditVerifyReport>('clearing', 'GET', '/audit/verify');
  }
  /** The latest signed checkpoint of the audit chain. */
  auditCheckpoint() {
    return this.call<AuditCheckpoint>('clearing', 'GET', '/audit/checkpoints/latest');
  }
  /** Signs a checkpoint of the current head now (compliance officers, admins). */
  createAuditCheckpoint() {
    return this.call<AuditCheckpoint>('clearing', 'POST', '/audit/checkpoints');
  }
  /** Every key that ever signed checkpoints, retired ones included (public; no token needed). */
  async auditCheckpointKeys(): Promise<{ keys: JWK[] }> {
    return json<{ keys: JWK[] }>(await send(`${this.endpoints.clearing}/audit/checkpoints/jwks`));
  }
  /** A signed receipt for the entries about your datasets (originators). */
  auditReceipts(query: { dataset?: string; after?: number; limit?: number } = {}) {
    return this.call<AuditReceipt>('clearing', 'GET', `/audit/receipts${queryString(query)}`);
  }
  /** Who used your data, when and for what purpose (originators). */
  auditUsage(query: { dataset?: string; from?: string; to?: string; after?: number; limit?: number } = {}) {
    return this.call<AuditUsage>('clearing', 'GET', `/audit/usage${queryString(query)}`);
  }
  /** Whom a person tag on the audit record stands for: your own persons only, and not once erased. */
  auditPerson(tag: string) {
    return this.call<{ tag: string; subjectRef: string; since: string }>(
      'clearing',
      'GET',
      `/audit/persons/${encodeURIComponent(tag)}`,
    );
  }
  /** Exports matching audit entries as CSV (RFC 4180), a JSON array or NDJSON text (compliance). */
  async exportAudit(format: 'csv' | 'json' | 'ndjson', query: Record<string, string> = {}): Promise<string> {
    const response = await this.request(
      'clearing',
      'GET',
      `/audit/entries${queryString({ ...query, format })}`,
    );
    return response.text();
  }
  /** The platform's token-verification keys (public). */
  async jwks(): Promise<{ keys: JWK[] }> {
    return json<{ keys: JWK[] }>(await send(`${this.endpoints.clearing}/.well-known/jwks.json`));
  }
  /** The signing-key ring (consortium admin). */
  signingKeys() {
    return this.call<{
      keys: SigningKeyInfo[];
      policy: Record<string, number>;
      nextChangeAt: string | null;
    }>('clearing', 'GET', '/admin/signing-keys');
  }
  /** Rotates the token signing key (consortium admin); the new key signs after `activateAfterSeconds`. */
  rotateSigningKey(activateAfterSeconds?: number) {
    return this.call<{
      result: 'created' | 'rescheduled' | 'pending';
      key: SigningKeyInfo;
      keys: SigningKeyInfo[];
    }>(
      'clearing',
      'POST',
      '/admin/signing-keys/rotate',
      activateAfterSeconds === undefined ? {} : { activateAfterSeconds },
    );
  }

  // cps-sim: the consortium's digital twin (needs endpoints.cpsSim; an operator's credentials)
  private async sim<T>(method: string, path: string, body?: unknown): Promise<T> {
    return json<T>(await this.simResponse(method, path, body));
  }
  private simResponse(method: string, path: string, body?: unknown): Promise<Response> {
    return this.request('cpsSim', method, path, { body });
  }
  /** The twin's inputs: grant state, events applied and stream position per dataset. */
  simInputs() {
    return this.sim<SimInputView[]>('GET', '/inputs');
  }
  /** Asks (as the CPS service) for access to a dataset and follows it once granted. */
  simRequestInput(dataset: string, purpose: string) {
    return this.sim<SimInputView>('POST', '/inputs', { dataset, purpose });
  }
  simTwin() {
    return this.sim<SimTwinView>('GET', '/twin');
  }
  simRebuildTwin() {
    return this.sim<{ before: string; after: string; events: number; identical: boolean }>(
      'POST',
      '/twin/rebuild',
    );
  }
  defineScenario(scenario: { name: string; kind: ScenarioKind; params: Record<string, unknown> }) {
    return this.sim<ScenarioView>('POST', '/scenarios', scenario);
  }
  scenarios() {
    return this.sim<ScenarioView[]>('GET', '/scenarios');
  }
  /** Starts a run on a snapshot of the twin; poll run(id) for progress. */
  runScenario(scenarioId: string, options: { seed?: number } = {}) {
    return this.sim<{ runId: string; status: string; progress: number }>(
      'POST',
      `/scenarios/${scenarioId}/runs`,
      options,
    );
  }
  run(runId: string) {
    return this.sim<SimRunView>('GET', `/runs/${runId}`);
  }
  /** Polls until the run has finished (succeeded or failed). */
  async waitForRun(runId: string, options: { timeoutMs?: number; intervalMs?: number } = {}) {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    for (;;) {
      const run = await this.run(runId);
      if (run.status === 'succeeded' || run.status === 'failed') return run;
      if (Date.now() > deadline) throw new Error(`Run ${runId} still ${run.status} after the timeout`);
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
    }
  }
  runResult(runId: string) {
    return this.sim<SimRunResult>('GET', `/runs/${runId}/result`);
  }
  /** The run's main series as an SVG chart. */
  async chartSvg(runId: string): Promise<string> {
    const response = await this.simResponse('GET', `/runs/${runId}/chart.svg`);
    return response.text();
  }
  /** Publishes the run's result as a derived dataset carrying lineage to its inputs. */
  publishRun(runId: string, options: { dataset?: string; aggregate?: boolean } = {}) {
    return this.sim<{
      run: string;
      dataset: string;
      version: string;
      eventIds: string[];
      lineage: { dataset: string; version: string }[];
      derived: { aggregate: boolean; contributors: number | null };
    }>('POST', `/runs/${runId}/publish`, options);
  }

  // exchange
  publish(
    dataset: string,
    token: string,
    events: {
      id?: string;
      subject?: string;
      labels?: string[];
      occurredAt?: string;
      payload: Record<string, unknown>;
    }[],
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
    /**
     * `after`: positions to resume after — `{partition: offset}`, or the `partition:offset,…` text as the
     * stream's `position` fields give it — or 'start' to replay everything still on the topic.
     */
    options: { after?: Record<number, string> | string } = {},
  ): Promise<DeliveryStream> {
    const controller = new AbortController();
    const after =
      typeof options.after === 'string'
        ? options.after.trim()
        : Object.entries(options.after ?? {})
            .map(([partition, offset]) => `${partition}:${offset}`)
            .join(',');
    const query = after ? `?after=${encodeURIComponent(after)}` : '';
    const response = await send(`${this.endpoints.exchange}/datasets/${dataset}/stream${query}`, {
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

export interface AuditCheckpoint {
  seq: number;
  hash: string;
  entries: number;
  kid: string;
  /** Compact JWS (ES256, typ renkei-audit-checkpoint+jwt) over {seq, hash, entries, iat, iss}. */
  jws: string;
  createdAt: string;
}

export interface AuditVerifyReport {
  ok: boolean;
  entries: number;
  head: string;
  firstBadSeq: string | null;
  code:
    | 'AUDIT.MODIFIED'
    | 'AUDIT.REORDERED'
    | 'AUDIT.REMOVED'
    | 'AUDIT.TRUNCATED'
    | 'AUDIT.CHECKPOINT_INVALID'
    | null;
  problem: string | null;
  checkpointsChecked: number;
  latestCheckpoint: { seq: number; hash: string; kid: string; createdAt: string } | null;
  supplied: { seq: number; hash: string; kid: string; iat: number } | null;
}

export interface AuditReceipt {
  checkpoint: AuditCheckpoint;
  datasets: string[];
  entries: { seq: number; kind: string; at: string; hash: string }[];
  next: number | null;
}

export interface AuditUsage {
  datasets: string[];
  consumers: {
    dataset: string;
    consumer: string;
    purposes: string[];
    grants: string[];
    tokensIssued: number;
    deliveries: number;
    eventsDelivered: number;
    denied: number;
    firstAt: string;
    lastAt: string;
  }[];
  items: {
    seq: number;
    at: string;
    dataset: string;
    consumer: string;
    action: string;
    purpose: string | null;
    grant: string | null;
    allow: boolean | null;
    events: number | null;
    reasons: string[];
  }[];
  next: number | null;
}

export interface SigningKeyInfo {
  kid: string;
  state: 'next' | 'active' | 'retiring' | 'retired';
  alg: string;
  published: boolean;
  createdAt: string;
  activatesAt: string | null;
  activatedAt: string | null;
  retiredAt: string | null;
  leavesJwksAt: string | null;
}

/**
 * Checks an audit checkpoint's signature yourself, against the keys from `auditCheckpointKeys()`: returns
 * its claims, or throws if it was not signed by the platform (jose's error says why).
 */
export async function verifyCheckpointSignature(
  jws: string,
  jwks: { keys: JWK[] },
  issuer = 'urn:renkei:clearing',
): Promise<{ seq: number; hash: string; entries: number; iat: number; iss: string }> {
  const { payload } = await jwtVerify(jws, createLocalJWKSet(jwks), {
    issuer,
    typ: 'renkei-audit-checkpoint+jwt',
    algorithms: ['ES256'],
    requiredClaims: ['seq', 'hash', 'entries', 'iat'],
  });
  return payload as unknown as { seq: number; hash: string; entries: number; iat: number; iss: string };
}
