import { randomUUID } from 'node:crypto';
import { forbidden, notFound, onRecord, type DecisionRecordInput } from '@renkei/domain';
import { policyDenyCode } from '@renkei/domain';
import type { PolicyDecision, PolicyInput } from './policy-engine.js';

/** Shapes a decision like OPA's decision log: id, time, bundle revision, input, result, requester. */
export function decisionRecord(
  service: string,
  input: PolicyInput,
  decision: PolicyDecision,
  revision: string,
  extra: { traceId?: string | null; grantId?: string | null; dataset?: string | null } = {},
): DecisionRecordInput {
  return {
    decisionId: randomUUID(),
    service,
    action: input.action,
    requestedBy: input.subject.id,
    dataset: extra.dataset ?? input.contract?.dataset ?? null,
    grantId: extra.grantId ?? input.grant?.id ?? null,
    allow: decision.allow,
    reasons: decision.reasons,
    rule: decision.rule,
    explanations: decision.explanations,
    obligations: decision.obligations,
    input,
    policyRevision: revision,
    decidedAt: new Date(input.now).toISOString(),
    traceId: extra.traceId ?? null,
  };
}

/**
 * A deny becomes a 403 whose code is the policy's first reason, and which says why: the deciding rule, its
 * explanation and every reason's (problem+json `rule`, `explanation`, `explanations`), and a detail that
 * says it in words. A reason the error catalogue does not know as a 403 is answered as POLICY.DENIED (a
 * unit test keeps every reason the Rego policy can give in the catalogue).
 */
export function denied(decision: PolicyDecision, what: string): Error {
  // A dataset the caller may not see is answered like one that does not exist: nothing can be inferred.
  if (decision.reasons.includes('CONTRACT.NOT_VISIBLE')) {
    return notFound(
      'CONTRACT.NOT_FOUND',
      'No such dataset',
      'List the datasets you can see with GET /catalog',
    );
  }
  const first = policyDenyCode(decision.reasons[0]);
  const because = decision.explanations.map((e) => e.message).join('; ');
  const codes = decision.reasons.join(', ') || decision.rule;
  // The deny is on the audit chain as a decision record: the refusal audit does not record it again.
  return onRecord(
    forbidden(
      first,
      `${what} was denied by policy (${codes}): ${because || 'no rule allows it'}`,
      'The decision is on the audit record; ask the data owner about the grant or its terms',
      { rule: decision.rule, explanations: decision.explanations },
    ),
  );
}
