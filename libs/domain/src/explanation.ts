/**
 * Why the policy decided as it did, one per reason (one for the allow rule on an allow): a stable code, an
 * English sentence built from the decision's input, and the values it names (for a sentence in another
 * language). It never names a person or another participant's attributes (policies/renkei/explain.rego).
 */
export interface PolicyExplanation {
  code: string;
  message: string;
  params: Record<string, unknown>;
}

/** Most explanations a decision carries (one per reason: the policy has fewer than 30). */
export const EXPLANATIONS_MAX = 40;
/** Longest explanation message kept (longer ones are cut, with an ellipsis). */
export const EXPLANATION_MESSAGE_MAX = 1000;
