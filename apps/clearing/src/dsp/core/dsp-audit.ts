import type { Prisma } from '@renkei/persistence';
import { appendAudit } from '../../audit/audit-log.js';

export type ProcessKind = 'negotiation' | 'transfer';

/** Clearing itself, as the actor of what no participant did (a callback that died, a policy decision). */
export const CLEARING_ACTOR = 'renkei-clearing';

export interface DspChange {
  processId: string;
  side: 'provider' | 'consumer';
  from: string | null;
  to: string;
  providerPid: string | null;
  consumerPid: string | null;
  grantId: string | null;
  dataset: string | null;
  /** Who moved it: the peer, the member, or clearing (policy, callback failure). */
  actorId: string;
  /** What made the move, e.g. the DSP message or the member's call. */
  cause: string;
  reason: string | null;
  at: Date;
}

/**
 * Puts one DSP state move on the audit chain (`dsp.negotiation.changed` / `dsp.transfer.changed`), inside
 * the transaction of the move itself.
 */
export async function auditDspChange(
  tx: Prisma.TransactionClient,
  kind: ProcessKind,
  change: DspChange,
): Promise<void> {
  await appendAudit(tx, [
    {
      kind: kind === 'negotiation' ? 'dsp.negotiation.changed' : 'dsp.transfer.changed',
      at: change.at,
      actorId: change.actorId,
      dataset: change.dataset,
      grantId: change.grantId,
      allow: null,
      payload: {
        process: change.processId,
        side: change.side,
        from: change.from,
        to: change.to,
        providerPid: change.providerPid,
        consumerPid: change.consumerPid,
        grant: change.grantId,
        cause: change.cause,
        reason: change.reason,
      },
    },
  ]);
}
