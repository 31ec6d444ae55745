import { readFile } from 'node:fs/promises';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { unavailable } from '#libs/domain';

export type PolicyAction =
  | 'contract.register'
  | 'grant.request'
  | 'grant.approve'
  | 'token.issue'
  | 'publish'
  | 'subscribe'
  | 'deliver'
  | 'audit.read';

export interface PolicyParty {
  id: string;
  industry: string;
  country: string;
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
    purposes: string[];
    sensitivity: string;
    residency: string | null;
    visibility: string;
    invited: string[];
    fields: Record<string, PolicyField>;
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
  } | null;
  purpose: string | null;
}

export interface PolicyDecision {
  allow: boolean;
  reasons: string[];
  obligations: { drop: string[]; pseudonymise: string[] };
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
    const [first] = this.policy.evaluate(input) as { result?: Partial<PolicyDecision> }[];
    const result = first?.result;
    if (!result || typeof result.allow !== 'boolean') {
      return { allow: false, reasons: ['POLICY.NO_DECISION'], obligations: { drop: [], pseudonymise: [] } };
    }
    return {
      allow: result.allow,
      reasons: result.reasons ?? [],
      obligations: {
        drop: result.obligations?.drop ?? [],
        pseudonymise: result.obligations?.pseudonymise ?? [],
      },
    };
  }
}
