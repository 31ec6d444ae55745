import type { GrantState, TransferMessage, TransferParty, TransferState } from '@renkei/domain';

/**
 * What the provider does with a transfer request, by the state of the grant it names (the agreement):
 * a live grant starts it at once (a data address with a token bound to the transfer); a grant not live yet
 * (requested) or suspended keeps it REQUESTED until the grant goes live or ends; an ended grant accepts the
 * request (2xx) and terminates it at once, saying why.
 */
export function onTransferRequest(grant: GrantState): 'start' | 'wait' | 'terminate' {
  switch (grant) {
    case 'granted':
      return 'start';
    case 'requested':
    case 'suspended':
      return 'wait';
    case 'revoked':
    case 'expired':
    case 'rejected':
      return 'terminate';
  }
}

/**
 * How a grant's move reaches each of its transfers (provider side): suspension suspends the started ones;
 * the grant going live (approval, resumption) starts the waiting ones and the ones the provider suspended
 * (with a new token); the grant ending terminates every transfer that has not ended. A transfer the consumer
 * suspended stays suspended until the consumer starts it again. Null: the transfer does not move.
 */
export function onGrantMove(
  to: GrantState,
  transfer: TransferState,
  suspendedBy: TransferParty | null,
): TransferMessage | null {
  if (transfer === 'COMPLETED' || transfer === 'TERMINATED') return null;
  switch (to) {
    case 'suspended':
      return transfer === 'STARTED' ? 'suspension' : null;
    case 'granted':
      if (transfer === 'REQUESTED') return 'start';
      if (transfer === 'SUSPENDED' && suspendedBy !== 'consumer') return 'start';
      return null;
    case 'revoked':
    case 'expired':
    case 'rejected':
      return 'termination';
    case 'requested':
      return null;
  }
}

/** The path segment a DSP message is posted to, and its `@type`. */
export const messageTypes: Record<TransferMessage, string> = {
  start: 'TransferStartMessage',
  suspension: 'TransferSuspensionMessage',
  completion: 'TransferCompletionMessage',
  termination: 'TransferTerminationMessage',
};
