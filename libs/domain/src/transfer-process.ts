/**
 * The Dataspace Protocol (2025-1) transfer process, as Renkei guards it on both sides. A transfer is the use
 * of one agreement (a grant) through one format: the provider answers a request by starting it with a data
 * address (the exchange URL and a dataset token bound to the transfer), and either party may suspend,
 * complete or terminate it. The state is kept per side (provider: the grant's originator; consumer: the
 * member on whose behalf Renkei asked), and every message is a move of that one machine.
 *
 * | state      | may become                       |
 * | ---------- | -------------------------------- |
 * | REQUESTED  | STARTED, TERMINATED              |
 * | STARTED    | SUSPENDED, COMPLETED, TERMINATED |
 * | SUSPENDED  | STARTED, TERMINATED              |
 * | COMPLETED  | (final)                          |
 * | TERMINATED | (final)                          |
 *
 * Who may make which move: only the provider starts a requested transfer; a suspended one is started again
 * by the party that suspended it; either party suspends, completes or terminates.
 */

export const TransferStates = ['REQUESTED', 'STARTED', 'SUSPENDED', 'COMPLETED', 'TERMINATED'] as const;
export type TransferState = (typeof TransferStates)[number];

export const finalTransferStates: ReadonlySet<TransferState> = new Set(['COMPLETED', 'TERMINATED']);

/** The party that sends a message (or on whose behalf a local move is made). */
export type TransferParty = 'provider' | 'consumer';

/** The DSP messages that move a transfer once it exists, by the path segment they are posted to. */
export const TransferMessages = ['start', 'suspension', 'completion', 'termination'] as const;
export type TransferMessage = (typeof TransferMessages)[number];

const targetOf: Record<TransferMessage, TransferState> = {
  start: 'STARTED',
  suspension: 'SUSPENDED',
  completion: 'COMPLETED',
  termination: 'TERMINATED',
};

const allowed: Record<TransferState, readonly TransferState[]> = {
  REQUESTED: ['STARTED', 'TERMINATED'],
  STARTED: ['SUSPENDED', 'COMPLETED', 'TERMINATED'],
  SUSPENDED: ['STARTED', 'TERMINATED'],
  COMPLETED: [],
  TERMINATED: [],
};

export function isTransferState(value: string): value is TransferState {
  return (TransferStates as readonly string[]).includes(value);
}

/** The states a transfer in `from` may become (the table above). */
export function transferTargets(from: TransferState): readonly TransferState[] {
  return allowed[from];
}

export type TransferMove =
  | { ok: true; from: TransferState; to: TransferState }
  | { ok: false; from: TransferState; to: TransferState; reason: string };

/**
 * Whether `by` may send `message` to a transfer in `state`. `suspendedBy` is who suspended it (for a start
 * out of SUSPENDED). Pure: the caller answers a refusal with 409 and a TransferError.
 */
export function transferMove(
  state: TransferState,
  message: TransferMessage,
  by: TransferParty,
  suspendedBy: TransferParty | null = null,
): TransferMove {
  const to = targetOf[message];
  const refuse = (reason: string): TransferMove => ({ ok: false, from: state, to, reason });
  if (!allowed[state].includes(to)) {
    return refuse(
      allowed[state].length === 0
        ? `The transfer is ${state}: that is final`
        : `A transfer in state ${state} cannot become ${to} (it can become ${allowed[state].join(', ')})`,
    );
  }
  if (message === 'start') {
    if (state === 'REQUESTED' && by !== 'provider')
      return refuse('Only the provider starts a requested transfer');
    if (state === 'SUSPENDED' && suspendedBy !== null && suspendedBy !== by)
      return refuse(`The ${suspendedBy} suspended this transfer; only the ${suspendedBy} starts it again`);
  }
  return { ok: true, from: state, to };
}
