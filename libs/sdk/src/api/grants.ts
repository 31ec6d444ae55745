import type { DatasetToken, GrantApproval, GrantRecord, GrantRequest, RevokedGrant } from './dto.js';
import { Session } from './session.js';

/** Clearing: grants between an originator and a consumer, and the dataset tokens they allow. */
export class GrantCalls extends Session {
  requestGrant(request: GrantRequest) {
    return this.call<GrantRecord>('clearing', 'POST', '/grants', request);
  }
  /**
   * Approves a request (originator). `historyFrom` decides how much of the topic's past the consumer may
   * read: 'all', or an ISO time; default: what the consumer asked for, else nothing published before now.
   */
  approveGrant(id: string, reason: string | null = null, options: Omit<GrantApproval, 'reason'> = {}) {
    return this.call<GrantRecord>('clearing', 'POST', `/grants/${id}/approve`, { reason, ...options });
  }
  /** One grant you are a party to, with its terms (history included). */
  grant(id: string) {
    return this.call<GrantRecord>('clearing', 'GET', `/grants/${id}`);
  }
  revokeGrant(id: string, reason: string | null = null) {
    return this.call<RevokedGrant>('clearing', 'POST', `/grants/${id}/revoke`, { reason });
  }
  /** Suspends a live grant (originator): its tokens are refused and its streams and transfers pause. */
  suspendGrant(id: string, reason: string | null = null) {
    return this.call<GrantRecord>('clearing', 'POST', `/grants/${id}/suspend`, { reason });
  }
  /** Resumes a suspended grant (originator). */
  resumeGrant(id: string, reason: string | null = null) {
    return this.call<GrantRecord>('clearing', 'POST', `/grants/${id}/resume`, { reason });
  }
  grants() {
    return this.call<GrantRecord[]>('clearing', 'GET', '/grants');
  }
  async datasetToken(dataset: string, action: 'publish' | 'subscribe', grantId?: string): Promise<string> {
    const res = await this.call<DatasetToken>('clearing', 'POST', '/tokens/dataset', {
      dataset,
      action,
      ...(grantId ? { grantId } : {}),
    });
    return res.access_token;
  }
}
