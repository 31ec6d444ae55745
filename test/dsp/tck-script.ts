/**
 * What each Eclipse Dataspace TCK test needs from Renkei (docs/interop-tck-notes.md, "The provider script
 * per seeded id" and the consumer script): the data to seed, and the moves a person would make through the
 * public management API while the test runs. The product behaves by rules (a live grant starts a transfer,
 * a suspended one keeps it REQUESTED, a contract with `approval: 'policy'` agrees and finalizes by itself);
 * these scripts add only the originator's and the consumer member's own decisions.
 */

/** A move through the public API: on the process itself, or on the grant behind a provider transfer. */
export type Move =
  | {
      on: 'negotiation';
      action: 'offer' | 'agree' | 'finalize' | 'terminate';
      body?: Record<string, unknown>;
    }
  | { on: 'negotiation'; action: 'accept' | 'verify' | 'request'; body?: Record<string, unknown> }
  | { on: 'transfer'; action: 'start' | 'suspend' | 'complete' | 'terminate'; body?: Record<string, unknown> }
  | { on: 'grant'; action: 'suspend' | 'resume' | 'revoke' };

/**
 * One scripted move: made once the process is in state `when` (after it has left the state of the previous
 * move), no sooner than `delayMs` after that state was first seen.
 */
export interface Step {
  when: string;
  move: Move;
  delayMs?: number;
}

const offer: Step = { when: 'REQUESTED', move: { on: 'negotiation', action: 'offer' } };
const terminateNegotiation = (when: string, delayMs?: number): Step => ({
  when,
  move: { on: 'negotiation', action: 'terminate', body: { reason: 'the originator ends the negotiation' } },
  ...(delayMs ? { delayMs } : {}),
});
const agree = (when: string, finalize: 'manual' | 'on-verification'): Step => ({
  when,
  move: { on: 'negotiation', action: 'agree', body: { finalize } },
});

/** How the provider's side of a CN test is decided: by the contract's policy, or by the originator. */
export interface ProviderNegotiationTest {
  id: string;
  /** `policy`: a contract with `approval: 'policy'`; `refused`: that, and a policy refusing the TCK. */
  approval: 'originator' | 'policy' | 'refused';
  /** The originator's moves (with `approval: 'originator'`). */
  steps: Step[];
  /** The moves when the platform has no `approval: 'policy'` (the originator makes the policy's). */
  fallback?: Step[];
}

export const providerNegotiations: ProviderNegotiationTest[] = [
  { id: 'CN:01-01', approval: 'originator', steps: [offer] },
  { id: 'CN:01-02', approval: 'originator', steps: [offer, terminateNegotiation('REQUESTED')] },
  {
    id: 'CN:01-03',
    approval: 'originator',
    steps: [
      offer,
      agree('ACCEPTED', 'manual'),
      { when: 'VERIFIED', move: { on: 'negotiation', action: 'finalize' } },
    ],
  },
  { id: 'CN:01-04', approval: 'policy', steps: [], fallback: [agree('REQUESTED', 'on-verification')] },
  { id: 'CN:02-01', approval: 'refused', steps: [], fallback: [terminateNegotiation('REQUESTED')] },
  { id: 'CN:02-02', approval: 'originator', steps: [] },
  { id: 'CN:02-03', approval: 'policy', steps: [], fallback: [agree('REQUESTED', 'on-verification')] },
  { id: 'CN:02-04', approval: 'originator', steps: [offer] },
  { id: 'CN:02-05', approval: 'originator', steps: [offer, terminateNegotiation('OFFERED', 1000)] },
  { id: 'CN:02-06', approval: 'originator', steps: [offer, terminateNegotiation('ACCEPTED')] },
  {
    id: 'CN:02-07',
    approval: 'originator',
    steps: [agree('REQUESTED', 'manual'), terminateNegotiation('VERIFIED')],
  },
  { id: 'CN:03-01', approval: 'policy', steps: [], fallback: [agree('REQUESTED', 'on-verification')] },
  { id: 'CN:03-02', approval: 'originator', steps: [offer] },
  // Negative tests: the provider must wait (no agreement after ACCEPTED; no answer to the counter-offer).
  { id: 'CN:03-03', approval: 'originator', steps: [offer] },
  { id: 'CN:03-04', approval: 'originator', steps: [offer] },
];

/** The grant behind a provider TP test, and what the originator does once the transfer has started. */
export interface ProviderTransferTest {
  id: string;
  grant: 'granted' | 'suspended' | 'revoked';
  steps: Step[];
}

const grantMove = (when: string, action: 'suspend' | 'resume' | 'revoke'): Step => ({
  when,
  move: { on: 'grant', action },
});
const transferMove = (when: string, action: 'start' | 'suspend' | 'complete' | 'terminate'): Step => ({
  when,
  move: { on: 'transfer', action, body: { reason: `the ${action} move of the test script` } },
});

export const providerTransfers: ProviderTransferTest[] = [
  // Revoking the agreement terminates its transfers (the revocation fan-out).
  { id: 'TP:01-01', grant: 'granted', steps: [grantMove('STARTED', 'revoke')] },
  { id: 'TP:01-02', grant: 'granted', steps: [transferMove('STARTED', 'complete')] },
  {
    id: 'TP:01-03',
    grant: 'granted',
    steps: [transferMove('STARTED', 'suspend'), grantMove('SUSPENDED', 'revoke')],
  },
  {
    id: 'TP:01-04',
    grant: 'granted',
    steps: [
      grantMove('STARTED', 'suspend'),
      grantMove('SUSPENDED', 'resume'),
      transferMove('STARTED', 'complete'),
    ],
  },
  { id: 'TP:01-05', grant: 'revoked', steps: [] },
  { id: 'TP:02-01', grant: 'granted', steps: [] },
  { id: 'TP:02-02', grant: 'granted', steps: [] },
  { id: 'TP:02-03', grant: 'granted', steps: [] },
  { id: 'TP:02-04', grant: 'granted', steps: [] },
  { id: 'TP:02-05', grant: 'suspended', steps: [] },
  { id: 'TP:03-01', grant: 'suspended', steps: [] },
  { id: 'TP:03-02', grant: 'suspended', steps: [] },
  { id: 'TP:03-03', grant: 'granted', steps: [] },
  { id: 'TP:03-04', grant: 'granted', steps: [] },
  { id: 'TP:03-05', grant: 'granted', steps: [] },
  { id: 'TP:03-06', grant: 'granted', steps: [] },
];

const consumer = (
  when: string,
  action: 'accept' | 'verify' | 'request' | 'terminate',
  delayMs?: number,
): Step => ({
  when,
  move: {
    on: 'negotiation',
    action,
    ...(action === 'terminate' ? { body: { reason: 'the consumer ends the negotiation' } } : {}),
  },
  ...(delayMs ? { delayMs } : {}),
});

/** The consumer member's moves in a CN_C test (the TCK plays the provider). */
export const consumerNegotiations: { id: string; steps: Step[] }[] = [
  { id: 'CN_C:01-01', steps: [consumer('OFFERED', 'accept'), consumer('AGREED', 'verify')] },
  { id: 'CN_C:01-02', steps: [consumer('OFFERED', 'request')] },
  { id: 'CN_C:01-03', steps: [consumer('OFFERED', 'terminate')] },
  { id: 'CN_C:01-04', steps: [consumer('AGREED', 'verify')] },
  { id: 'CN_C:02-01', steps: [] },
  { id: 'CN_C:02-02', steps: [consumer('REQUESTED', 'terminate', 300)] },
  { id: 'CN_C:02-03', steps: [consumer('AGREED', 'terminate')] },
  { id: 'CN_C:02-04', steps: [] },
  { id: 'CN_C:02-05', steps: [consumer('OFFERED', 'accept')] },
  { id: 'CN_C:02-06', steps: [consumer('AGREED', 'verify')] },
  { id: 'CN_C:03-01', steps: [] },
  { id: 'CN_C:03-02', steps: [] },
  { id: 'CN_C:03-03', steps: [] },
  { id: 'CN_C:03-04', steps: [consumer('OFFERED', 'accept')] },
  { id: 'CN_C:03-05', steps: [consumer('OFFERED', 'accept')] },
  { id: 'CN_C:03-06', steps: [consumer('OFFERED', 'accept')] },
];

const consumerTransfer = (
  when: string,
  action: 'suspend' | 'complete' | 'terminate',
  delayMs?: number,
): Step => ({
  ...transferMove(when, action),
  ...(delayMs ? { delayMs } : {}),
});

/** The consumer member's moves in a TP_C test. */
export const consumerTransfers: { id: string; steps: Step[] }[] = [
  { id: 'TP_C:01-01', steps: [] },
  { id: 'TP_C:01-02', steps: [] },
  { id: 'TP_C:01-03', steps: [] },
  { id: 'TP_C:01-04', steps: [] },
  { id: 'TP_C:01-05', steps: [] },
  { id: 'TP_C:02-01', steps: [consumerTransfer('STARTED', 'terminate')] },
  { id: 'TP_C:02-02', steps: [consumerTransfer('STARTED', 'complete')] },
  {
    id: 'TP_C:02-03',
    steps: [consumerTransfer('STARTED', 'suspend'), consumerTransfer('SUSPENDED', 'terminate')],
  },
  { id: 'TP_C:02-04', steps: [] },
  { id: 'TP_C:02-05', steps: [consumerTransfer('REQUESTED', 'terminate', 300)] },
  { id: 'TP_C:03-01', steps: [] },
  { id: 'TP_C:03-02', steps: [] },
  { id: 'TP_C:03-03', steps: [] },
  { id: 'TP_C:03-04', steps: [] },
  { id: 'TP_C:03-05', steps: [] },
  { id: 'TP_C:03-06', steps: [] },
];

/** `CN:01-02` → `CN_01_02`: the TCK's seed key prefix (its test method name, upper case). */
export const seedPrefix = (id: string): string => id.replace(':', '_').replace('-', '_');

/** `CN:01-02` → `tck.cn-01-02`: the dataset seeded for a test (a valid Renkei dataset id). */
export const seedDataset = (id: string): string =>
  `tck.${id.toLowerCase().replace(':', '-').replace('_', '')}`;
