import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { json, queryString, send } from '../client.js';
import type {
  AuditCheckpoint,
  AuditEntryPage,
  AuditPerson,
  AuditReceipt,
  AuditReceiptFilter,
  AuditUsage,
  AuditUsageFilter,
  AuditUsageSeries,
  AuditUsageSeriesFilter,
  AuditVerifyReport,
  PersonConsentOverview,
  PersonConsentOverviewFilter,
} from './dto.js';
import { Session } from './session.js';

/** Clearing: the audit chain, its checkpoints and receipts, usage reports and exports. */
export class AuditCalls extends Session {
  auditEntries(query: Record<string, string> = {}) {
    return this.call<AuditEntryPage>(
      'clearing',
      'GET',
      `/audit/entries?${new URLSearchParams(query).toString()}`,
    );
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
  auditReceipts(query: AuditReceiptFilter = {}) {
    return this.call<AuditReceipt>('clearing', 'GET', `/audit/receipts${queryString(query)}`);
  }
  /** Who used your data, when and for what purpose (originators). */
  auditUsage(query: AuditUsageFilter = {}) {
    return this.call<AuditUsage>('clearing', 'GET', `/audit/usage${queryString(query)}`);
  }
  /** Usage of your data over time, per hour or day, dataset, consumer and purpose (originators). */
  auditUsageSeries(query: AuditUsageSeriesFilter = {}) {
    return this.call<AuditUsageSeries>('clearing', 'GET', `/audit/usage/series${queryString(query)}`);
  }
  /** Compliance: persons' consent records across originators (counts and a page; pseudonymous refs only). */
  personConsentOverview(query: PersonConsentOverviewFilter = {}) {
    return this.call<PersonConsentOverview>('clearing', 'GET', `/audit/person-consents${queryString(query)}`);
  }
  /** Whom a person tag on the audit record stands for: your own persons only, and not once erased. */
  auditPerson(tag: string) {
    return this.call<AuditPerson>('clearing', 'GET', `/audit/persons/${encodeURIComponent(tag)}`);
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
