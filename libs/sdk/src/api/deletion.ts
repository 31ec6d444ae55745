import { randomUUID } from 'node:crypto';
import { SignJWT, importJWK, type JWK } from 'jose';
import { queryString } from '../client.js';
import type {
  DeletionMethod,
  DeletionObligation,
  DeletionObligationFilter,
  OverdueDeletionFilter,
} from './dto.js';
import { Session } from './session.js';

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

/** Clearing: deletion obligations after a grant ends, and the receipts that discharge them. */
export class DeletionCalls extends Session {
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
  overdueDeletions(query: OverdueDeletionFilter = {}) {
    return this.call<DeletionObligation[]>(
      'clearing',
      'GET',
      `/deletion-obligations/overdue${queryString(query)}`,
    );
  }
}
