/**
 * The SDK's request and response types, as aliases of the types openapi-typescript generates from the
 * committed OpenAPI documents (`npm run sdk:types` writes ../generated/; a unit spec fails when they are
 * stale). Nothing here copies a server DTO by hand: a change to a service's API shows up here as a type
 * error. Looked up by path and method, which are the API, not by operation id, which names a controller.
 *
 * The delivery stream's NDJSON lines (`StreamLine`) are in the documents too, as the schema of its
 * `application/x-ndjson` answer; only the client's own options are written by hand.
 */
import type { paths as Clearing } from '../generated/clearing.js';
import type { paths as CpsSim } from '../generated/cps-sim.js';
import type { paths as Exchange } from '../generated/exchange.js';
import type { paths as Registry } from '../generated/registry.js';

type Success = 200 | 201 | 202;

/** The JSON body of an operation's success answer. */
export type Ok<Operation> = Operation extends { responses: infer R }
  ? {
      [S in keyof R & Success]: R[S] extends { content: { 'application/json': infer B } } ? B : never;
    }[keyof R & Success]
  : never;

/** One line of an operation's NDJSON (`application/x-ndjson`) success answer. */
export type Line<Operation> = Operation extends { responses: infer R }
  ? {
      [S in keyof R & Success]: R[S] extends { content: { 'application/x-ndjson': infer L } } ? L : never;
    }[keyof R & Success]
  : never;

/** The JSON body an operation takes. */
export type Body<Operation> = Operation extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

/** The query parameters an operation takes. */
export type Query<Operation> = Operation extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

// registry
export type Participant = Ok<Registry['/participants']['post']>;
export type ParticipantStatus = Ok<Registry['/participants/{id}/suspend']['post']>;
export type Attestations = Body<Registry['/participants/{id}/attestations']['put']>;
export type AttestedParticipant = Ok<Registry['/participants/{id}/attestations']['put']>;
export type OffboardedParticipant = Ok<Registry['/participants/{id}/offboard']['post']>;
export type ContractView = Ok<Registry['/contracts/{dataset}']['get']>;
export type CatalogFilter = Query<Registry['/catalog']['get']>;
export type CatalogPage = Ok<Registry['/catalog']['get']>;
export type ContractTransition = Ok<
  Registry['/contracts/{dataset}/versions/{version}/transitions']['get']
>[number];
export type CompatibilityReport = Ok<Registry['/contracts/{dataset}/compatibility']['post']>;
export type SchemaBreakView = CompatibilityReport['breaks'][number];
export type DatasetCompatibility = Ok<Registry['/datasets/{dataset}/compatibility']['put']>;
export type OdcsImport = Ok<Registry['/contracts/odcs']['post']>;

// clearing
export type PlatformToken = Ok<Clearing['/oauth/token']['post']>;
export type DatasetToken = Ok<Clearing['/tokens/dataset']['post']>;
export type GrantApproval = Body<Clearing['/grants/{id}/approve']['post']>;
export type GrantRequest = Body<Clearing['/grants']['post']>;
/** A grant as clearing shows it to its two parties. */
export type GrantRecord = Ok<Clearing['/grants/{id}']['get']>;
export type RevokedGrant = Ok<Clearing['/grants/{id}/revoke']['post']>;
export type PersonConsent = Ok<Clearing['/person-consents/opt-out']['post']>;
export type ConsentProvision = PersonConsent['provisions'][number];
export type ConsentImport = Ok<Clearing['/person-consents/fhir']['post']>;
export type PersonErasure = Ok<Clearing['/persons/{subjectRef}/erase']['post']>;
export type DatasetKeysDestroyed = Ok<Clearing['/datasets/{dataset}/keys/destroy']['post']>;
export type Notification = Ok<Clearing['/notifications']['get']>[number];
export type NotificationRead = Ok<Clearing['/notifications/{id}/read']['post']>;
export type DeletionObligation = Ok<Clearing['/deletion-obligations/{id}']['get']>;
/** The claims of a deletion receipt, as clearing checks them (the consumer signs them itself). */
export type DeletionReceiptClaims = NonNullable<DeletionObligation['receipt']>['claims'];
/** How the consumer deleted its copies. */
export type DeletionMethod = DeletionReceiptClaims['method'];
export type DeletionObligationFilter = Query<Clearing['/deletion-obligations']['get']>;
export type OverdueDeletionFilter = Query<Clearing['/deletion-obligations/overdue']['get']>;
/** A page of audit entries (the same path answers `format=json` with a bare array; exportAudit reads that). */
export type AuditEntryPage = Extract<Ok<Clearing['/audit/entries']['get']>, { items: unknown }>;
export type AuditCheckpoint = Ok<Clearing['/audit/checkpoints/latest']['get']>;
export type AuditVerifyReport = Ok<Clearing['/audit/verify']['get']>;
export type AuditReceipt = Ok<Clearing['/audit/receipts']['get']>;
export type AuditReceiptFilter = Query<Clearing['/audit/receipts']['get']>;
export type AuditUsage = Ok<Clearing['/audit/usage']['get']>;
export type AuditUsageFilter = Query<Clearing['/audit/usage']['get']>;
export type AuditUsageSeries = Ok<Clearing['/audit/usage/series']['get']>;
export type AuditUsageSeriesFilter = Query<Clearing['/audit/usage/series']['get']>;
export type PersonConsentOverview = Ok<Clearing['/audit/person-consents']['get']>;
export type PersonConsentOverviewFilter = Query<Clearing['/audit/person-consents']['get']>;
export type OffboardingImpact = Ok<Clearing['/participants/{id}/offboarding-impact']['get']>;
export type AuditPerson = Ok<Clearing['/audit/persons/{tag}']['get']>;
export type SigningKeyRing = Ok<Clearing['/admin/signing-keys']['get']>;
export type SigningKeyInfo = SigningKeyRing['keys'][number];
export type SigningKeyRotation = Ok<Clearing['/admin/signing-keys/rotate']['post']>;

// cps-sim
export type SimInputView = Ok<CpsSim['/inputs']['get']>[number];
export type SimTwinView = Ok<CpsSim['/twin']['get']>;
export type SimTwinRebuild = Ok<CpsSim['/twin/rebuild']['post']>;
export type ScenarioView = Ok<CpsSim['/scenarios/{id}']['get']>;
export type ScenarioDefinition = Body<CpsSim['/scenarios']['post']>;
export type ScenarioKind = ScenarioDefinition['kind'];
export type RunOptions = Body<CpsSim['/scenarios/{id}/runs']['post']>;
export type RunStarted = Ok<CpsSim['/scenarios/{id}/runs']['post']>;
export type SimRunView = Ok<CpsSim['/runs/{id}']['get']>;
export type SimRunResult = Ok<CpsSim['/runs/{id}/result']['get']>;
/** One event of a run's progress stream (GET /runs/{id}/events, Server-Sent Events). */
export interface SimRunEvent {
  /** Numbered in the order the run made them, without gaps. */
  id: number;
  event: 'progress' | 'done' | 'failed';
  data: {
    status: SimRunView['status'];
    progress: number;
    step: { done: number; total: number } | null;
    error?: string | null;
  };
}
export type PublishRunOptions = Body<CpsSim['/runs/{id}/publish']['post']>;
export type PublishedRun = Ok<CpsSim['/runs/{id}/publish']['post']>;

// exchange
export type PublishRequest = Body<Exchange['/datasets/{dataset}/events']['post']>;
export type PublishedEvents = Ok<Exchange['/datasets/{dataset}/events']['post']>;
/** One NDJSON line of the delivery stream: an event, a notice about the contract, a heartbeat, or the end. */
export type StreamLine = Line<Exchange['/datasets/{dataset}/stream']['get']>;

// clearing: the Dataspace Protocol connector (/connector/...)
export type DspPeerRegistration = Body<Clearing['/connector/peers']['post']>;
export type DspPeer = Ok<Clearing['/connector/peers']['post']>;
export type DspConnectorKey = Ok<Clearing['/connector/key']['get']>;
export type DspNegotiationFilter = Query<Clearing['/connector/negotiations']['get']>;
export type DspNegotiationStart = Body<Clearing['/connector/negotiations']['post']>;
export type DspNegotiation = Ok<Clearing['/connector/negotiations/{id}']['get']>;
export type DspSide = DspNegotiation['side'];
export type DspTransferFilter = Query<Clearing['/connector/transfers']['get']>;
export type DspTransferStart = Body<Clearing['/connector/transfers']['post']>;
export type DspTransfer = Ok<Clearing['/connector/transfers/{id}']['get']>;
