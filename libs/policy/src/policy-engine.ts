import { readFile } from 'node:fs/promises';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import {
  EXPLANATION_MESSAGE_MAX,
  EXPLANATION_PARAMS_MAX_BYTES,
  EXPLANATIONS_MAX,
  unavailable,
  type ConsentStatus,
  type PolicyExplanation,
} from '@renkei/domain';

export type PolicyAction =
  | 'contract.register'
  | 'grant.request'
  | 'grant.approve'
  | 'token.issue'
  | 'publish'
  | 'subscribe'
  | 'deliver'
  | 'aggregate.release'
  | 'audit.read';

/** A participant as the policy sees it, with what the consortium admin attests about it. */
export interface PolicyParty {
  id: string;
  industry: string;
  country: string;
  /** Attested certifications, e.g. `health-data-handler` (required to receive health data). */
  certifications: string[];
  /** Attested protection level: `none` < `access-control` < `field-encryption`. */
  protection: string;
}

/** A payload field as the policy sees it: its tags, and the country its values may not leave. */
export interface PolicyField {
  tags: string[];
  residency?: string;
}

export interface PolicyInput {
  action: PolicyAction;
  /** Epoch ms: WebAssembly has no clock, so the caller's (injected) clock decides. */
  now: number;
  subject: PolicyParty & { roles: string[]; status: string };
  contract: {
    dataset: string;
    owner: string;
    version: string;
    status: string;
    /** e.g. `health`: health data only goes to `health-data-handler` recipients. */
    domain: string;
    purposes: string[];
    sensitivity: string;
    /** The least protection a recipient must have (MinimumProtection of the sensitivity). */
    minimumProtection: string;
    residency: string | null;
    visibility: string;
    invited: string[];
    fields: Record<string, PolicyField>;
    /** A derived dataset's input datasets (absent: not derived). */
    lineage?: string[];
    /**
     * A derived dataset's aggregate terms (absent: not derived). The policy counts `originators` (set by
     * the registry from the verified lineage) and ignores `contributors`.
     */
    derived?: { aggregate: boolean; contributors: number | null; originators?: string[]; verified?: boolean };
  } | null;
  originator: PolicyParty | null;
  consumer: PolicyParty | null;
  grant: {
    id: string;
    state: string;
    consumer: string;
    originator: string;
    dataset: string;
    purpose: string;
    fields: string[] | null;
    validFrom: number;
    validUntil: number | null;
    /** Days after the grant ends by which the consumer must delete what it received. */
    deletionDays: number;
    onwardTransfer: boolean;
    /** Epoch ms from which the grant covers the topic (0: its whole history); see historyStartMs. */
    historyFrom: number;
  } | null;
  purpose: string | null;
  /**
   * deliver only (required there, `{}` when no record names a person): each record about a person, by its
   * record key (the event id, never the person reference), with what the person's consents say about this
   * use of it (consentStatus: this dataset, the grant's purpose and consumer, now, the record's type,
   * labels and time).
   */
  subjects: Record<string, ConsentStatus> | null;
  /** aggregate.release only: distinct contributors (participants or persons) and the requested k, if any. */
  aggregate: PolicyAggregate | null;
  /**
   * Derived contracts only: for each input dataset of the lineage, whether it is visible to the subject (it
   * owns the input, or holds a live grant on it now). Absent for contracts without lineage.
   */
  consumerInputs?: Record<string, boolean>;
  /** deliver only (required there): the earliest publication time (epoch ms) of the events decided. */
  delivery?: PolicyDelivery;
}

export interface PolicyDelivery {
  publishedFrom: number;
}

export interface PolicyAggregate {
  contributors: number;
  k: number | null;
}

/** What the data plane must apply; all empty/null unless the decision is an allowed grant use or aggregate. */
export interface PolicyObligations {
  /** Fields to remove from every payload. */
  drop: string[];
  /** Personal / sensitive-personal fields to replace by a keyed pseudonym (unless the record is identified). */
  pseudonymise: string[];
  /** Record keys (event ids) of records that must not be delivered at all (their person's consents deny it). */
  withhold: string[];
  /** Record keys of records that keep their `pseudonymise` fields as they are (health, permitted). */
  identify: string[];
  /** The least number of distinct contributors any aggregate of this contract must rest on. */
  minK: number | null;
  /** Epoch ms by which the consumer must delete what it received; null while the grant is open-ended. */
  deleteBy: number | null;
}

export interface PolicyDecision {
  allow: boolean;
  reasons: string[];
  /**
   * The rule that decided: a deny's first (sorted) reason; ALLOW.<ACTION> for an allow (the action
   * upper-cased, `.` and `-` as `_`, e.g. ALLOW.GRANT_APPROVE). See policies/README.md.
   */
  rule: string;
  /** One per reason, in their order (one for the allow rule on an allow). */
  explanations: PolicyExplanation[];
  obligations: PolicyObligations;
}

/** The allow rule of an action: ALLOW.<ACTION>, as the policy names it (explain.rego). */
export function allowRule(action: string): string {
  return `ALLOW.${action.replace(/[.-]/g, '_').toUpperCase()}`;
}

/** The generic explanation of a code the policy gave none for (an older bundle; the engine's own codes). */
export function genericExplanation(
  code: string,
  message = `denied by policy rule ${code}`,
): PolicyExplanation {
  return { code, message, params: {} };
}

/**
 * A decision with its rule and explanations filled in the policy's way from allow and reasons (generic
 * messages): for decisions made without the policy (tests, stubs) and answers of an older bundle.
 */
export function explainedDecision(
  allow: boolean,
  reasons: string[],
  obligations: PolicyObligations = noObligations(),
  action = 'unknown',
): PolicyDecision {
  const rule = allow ? allowRule(action) : (reasons[0] ?? 'POLICY.DENIED');
  return {
    allow,
    reasons,
    rule,
    explanations: allow
      ? [genericExplanation(rule, `${action} is allowed: every rule of the policy holds`)]
      : reasons.length > 0
        ? reasons.map((r) => genericExplanation(r))
        : [genericExplanation(rule, 'no rule of the policy allows it')],
    obligations: allow ? obligations : noObligations(),
  };
}

/** The obligations of a denial (and of allowed actions that move no data). */
export function noObligations(): PolicyObligations {
  return { drop: [], pseudonymise: [], withhold: [], identify: [], minK: null, deleteBy: null };
}

export interface PolicyBundle {
  wasm: Buffer;
  revision: string;
}

/** Reads the compiled bundle written by `npm run policy:build` (policies/build/). */
export async function readPolicyBundle(dir: string): Promise<PolicyBundle> {
  try {
    const [wasm, revision] = await Promise.all([
      readFile(`${dir}/policy.wasm`),
      readFile(`${dir}/revision.txt`, 'utf8'),
    ]);
    return { wasm, revision: revision.trim() };
  } catch (cause) {
    throw unavailable(
      'POLICY.BUNDLE_MISSING',
      `No compiled policy bundle in ${dir}`,
      'Run `npm run policy:build` (it compiles policies/ to WebAssembly with the OPA CLI)',
      cause,
    );
  }
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isNumberOrNull = (v: unknown): v is number | null => v === null || typeof v === 'number';
const noDecision = (): PolicyDecision => ({
  allow: false,
  reasons: ['POLICY.NO_DECISION'],
  rule: 'POLICY.NO_DECISION',
  explanations: [
    genericExplanation('POLICY.NO_DECISION', 'the policy gave no well-formed answer, so it is denied'),
  ],
  obligations: noObligations(),
});

const RULE = /^[A-Z][A-Z0-9_]*\.[A-Z][A-Z0-9_]*$/;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An explanation as the policy gave it, bounded (a long message is cut, oversized params dropped). */
function explanationOf(v: unknown): PolicyExplanation | null {
  if (!isPlainObject(v) || typeof v.code !== 'string' || typeof v.message !== 'string') return null;
  if (!RULE.test(v.code) || v.code.length > 80 || !isPlainObject(v.params)) return null;
  const message =
    v.message.length > EXPLANATION_MESSAGE_MAX
      ? `${v.message.slice(0, EXPLANATION_MESSAGE_MAX - 1)}…`
      : v.message;
  const params = JSON.stringify(v.params).length <= EXPLANATION_PARAMS_MAX_BYTES ? v.params : {};
  return { code: v.code, message, params };
}

/**
 * The rule and explanations of an answer, read defensively: a bundle that gives none (or malformed ones)
 * still yields a rule and one explanation per reason, the policy's way. They explain; they never change
 * what was decided.
 */
function explainedAs(
  result: { rule?: unknown; explanations?: unknown },
  allow: boolean,
  reasons: string[],
  action: unknown,
): Pick<PolicyDecision, 'rule' | 'explanations'> {
  const fallback = explainedDecision(allow, reasons, noObligations(), String(action));
  const rule = typeof result.rule === 'string' && RULE.test(result.rule) ? result.rule : fallback.rule;
  const given = Array.isArray(result.explanations)
    ? result.explanations.slice(0, EXPLANATIONS_MAX).map(explanationOf)
    : [];
  const expected = allow || reasons.length === 0 ? [rule] : reasons.slice(0, EXPLANATIONS_MAX);
  const explanations = expected.map(
    (code, i) =>
      (given[i]?.code === code ? given[i] : null) ??
      genericExplanation(code, fallback.explanations[i]?.message),
  );
  return { rule, explanations };
}

/**
 * The one policy bundle, compiled to WebAssembly and evaluated in-process. Default deny: anything but a
 * well-formed allow from the policy is a deny.
 */
export class PolicyEngine {
  private constructor(
    private readonly policy: LoadedPolicy,
    readonly revision: string,
  ) {}

  static async load(bundle: PolicyBundle): Promise<PolicyEngine> {
    return new PolicyEngine(await loadPolicy(bundle.wasm), bundle.revision);
  }

  decide(input: PolicyInput): PolicyDecision {
    const [first] = this.policy.evaluate(input) as {
      result?: {
        allow?: unknown;
        reasons?: unknown;
        rule?: unknown;
        explanations?: unknown;
        obligations?: unknown;
      };
    }[];
    const result = first?.result;
    if (!result || typeof result.allow !== 'boolean') return noDecision();
    const reasons = isStrings(result.reasons) ? result.reasons : [];
    if (!result.allow) {
      return {
        allow: false,
        reasons,
        ...explainedAs(result, false, reasons, (input as Partial<PolicyInput> | undefined)?.action),
        obligations: noObligations(),
      };
    }
    // An allow whose obligations the data plane could not apply in full (e.g. from an older bundle without
    // `withhold`) is no allow.
    const o = result.obligations as Partial<Record<keyof PolicyObligations, unknown>> | undefined;
    if (
      !o ||
      !isStrings(o.drop) ||
      !isStrings(o.pseudonymise) ||
      !isStrings(o.withhold) ||
      !isStrings(o.identify) ||
      !isNumberOrNull(o.minK) ||
      !isNumberOrNull(o.deleteBy)
    ) {
      return noDecision();
    }
    return {
      allow: true,
      reasons,
      ...explainedAs(result, true, reasons, (input as Partial<PolicyInput> | undefined)?.action),
      obligations: {
        drop: o.drop,
        pseudonymise: o.pseudonymise,
        withhold: o.withhold,
        identify: o.identify,
        minK: o.minK,
        deleteBy: o.deleteBy,
      },
    };
  }
}
