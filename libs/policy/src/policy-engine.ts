import { readFile } from 'node:fs/promises';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { unavailable, type ConsentStatus } from '@renkei/domain';

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
  obligations: PolicyObligations;
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
  obligations: noObligations(),
});

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
      result?: { allow?: unknown; reasons?: unknown; obligations?: unknown };
    }[];
    const result = first?.result;
    if (!result || typeof result.allow !== 'boolean') return noDecision();
    const reasons = isStrings(result.reasons) ? result.reasons : [];
    if (!result.allow) return { allow: false, reasons, obligations: noObligations() };
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
