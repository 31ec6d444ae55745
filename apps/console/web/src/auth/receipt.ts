/**
 * A deletion receipt signed in the browser with the participant's held key (never exported): the compact JWS
 * POST /deletion-obligations/{id}/receipt takes (ES256, typ deletion-receipt+jwt).
 */
import { SignJWT } from 'jose';
import type { Session } from './session';

export const DeletionMethods = ['crypto-erase', 'overwrite', 'delete', 'physical-destruction'] as const;
export type DeletionMethod = (typeof DeletionMethods)[number];

export function signDeletionReceipt(
  session: Session,
  obligation: { id: string; grant: string; dataset: string },
  deletedAt: Date,
  method: DeletionMethod,
): Promise<string> {
  return new SignJWT({
    grant: obligation.grant,
    dataset: obligation.dataset,
    deletedAt: deletedAt.toISOString(),
    method,
    scope: 'all-copies',
  })
    .setProtectedHeader({
      alg: 'ES256',
      typ: 'deletion-receipt+jwt',
      ...(session.held.kid ? { kid: session.held.kid } : {}),
    })
    .setIssuer(session.participant)
    .setSubject(obligation.id)
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .sign(session.held.key);
}
