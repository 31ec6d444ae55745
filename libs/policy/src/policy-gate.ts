import type { DecisionRecordInput, PlatformProjection } from '@renkei/domain';
import { unavailable } from '@renkei/domain';
import { decisionRecord } from './decision-record.js';
import { buildPolicyInput, type DecisionRequest } from './input.js';
import type { PolicyDecision, PolicyEngine, PolicyInput } from './policy-engine.js';

/** What the record of a decision names beyond its input (defaults: the input's grant and dataset). */
export interface RecordContext {
  traceId?: string | null;
  grantId?: string | null;
  dataset?: string | null;
}

/** One decision: the input the policy saw, its answer, and the record to append to the audit chain. */
export interface GateDecision {
  input: PolicyInput;
  result: PolicyDecision;
  record: DecisionRecordInput;
}

/**
 * Wraps each evaluation (metrics, a trace span): given the action and the evaluation, returns its answer.
 * The services pass `observeDecision` from @renkei/platform; without one the gate just decides.
 */
export type DecisionObserver = (action: string, decide: () => PolicyDecision) => PolicyDecision;

/**
 * The one way a service asks the policy: a request object in, decision and record out. Building the input
 * from the projection, evaluating the compiled policy and shaping the decision record (OPA decision-log
 * style, with the bundle revision) happen here and nowhere else; the caller appends the record where its
 * transaction or batch is (clearing: the audit table; the exchange: the decisions topic).
 */
export class PolicyGate {
  constructor(
    private readonly engine: PolicyEngine,
    private readonly state: PlatformProjection,
    /** The service named on every record ('clearing', 'exchange'). */
    private readonly service: string,
    private readonly observe: DecisionObserver = (_action, decide) => decide(),
  ) {}

  get revision(): string {
    return this.engine.revision;
  }

  /** Builds the input from the projection and decides. */
  decide(request: DecisionRequest, context: RecordContext = {}): GateDecision {
    return this.decideInput(buildPolicyInput(this.state, request), context);
  }

  /** Decides an input built already (e.g. one shared by every event of a delivery group). */
  decideInput(input: PolicyInput, context: RecordContext = {}): GateDecision {
    const result = this.observe(String(input.action), () => this.engine.decide(input));
    return {
      input,
      result,
      record: decisionRecord(this.service, input, result, this.engine.revision, context),
    };
  }
}

/** Waits until the projection holds every platform event appended before the call (EventConsumer.barrier). */
export type ProjectionSync = (maxAgeMs?: number) => Promise<void>;

/**
 * How recent the projection must be for an ordinary request: a barrier that started this recently is good
 * enough, so suspensions and contract changes reach every decision within a quarter of a second.
 */
export const FRESH_ENOUGH_MS = 250;

/**
 * The freshness idiom: a recent barrier (FRESH_ENOUGH_MS) is enough, unless what the request is about is
 * not in the projection yet (`known` false), e.g. a contract registered a moment ago; then a barrier that
 * starts now. A barrier Kafka cannot answer becomes 503 KAFKA.UNAVAILABLE.
 */
export async function syncFor(sync: ProjectionSync, known: () => boolean = () => true): Promise<void> {
  try {
    await sync(FRESH_ENOUGH_MS);
    if (!known()) await sync(0);
  } catch (cause) {
    throw unavailable(
      'KAFKA.UNAVAILABLE',
      'The event bus is not reachable; no decision can be made',
      'Retry in a few seconds',
      cause,
    );
  }
}

/**
 * A barrier that starts now, for a decision that must see every change acknowledged before it (opening a
 * stream after a revocation); 503 KAFKA.UNAVAILABLE like syncFor.
 */
export const syncNow = (sync: ProjectionSync): Promise<void> => syncFor(() => sync(0));
