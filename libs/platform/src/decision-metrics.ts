import { trace } from '@opentelemetry/api';
import { sharedCounter } from './metrics.js';
import { inSpan, tracingEnabled } from './tracing.js';

/**
 * Policy decisions by action, result and deciding rule. Bounded: the actions are the platform's
 * (publish, subscribe, deliver, grant.request, ...), and the rule is one of the compiled bundle's rule codes
 * (a deny's first reason, ALLOW.<ACTION>, POLICY.NO_DECISION): the policy engine accepts only rule-shaped
 * codes and the bundle names a fixed set. No subject, dataset or grant goes into a label.
 */
let counter: ReturnType<typeof decisionCounter> | undefined;
const decisions = () => (counter ??= decisionCounter());
const decisionCounter = () =>
  sharedCounter('renkei_policy_decisions_total', 'Policy decisions by action, result and deciding rule', [
    'action',
    'result',
    'rule',
  ]);

/**
 * Decides through `decide` and counts the answer; inside a trace, the decision is a span of its own
 * (`policy.decide <action>`, with its result and rule). Outside one (a background delivery batch) no span
 * is opened: it would start a trace of its own per batch.
 */
export function observeDecision<D extends { allow: boolean; rule: string }>(
  action: string,
  decide: () => D,
): D {
  const decision =
    tracingEnabled() && trace.getActiveSpan()
      ? inSpan(`policy.decide ${action}`, (span) => {
          const d = decide();
          span?.setAttributes({ 'renkei.policy.allow': d.allow, 'renkei.policy.rule': d.rule });
          return d;
        })
      : decide();
  decisions().inc({ action, result: decision.allow ? 'allow' : 'deny', rule: decision.rule });
  return decision;
}
