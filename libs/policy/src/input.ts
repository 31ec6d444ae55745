import { notFound, type ContractTerms, type GrantView, type PlatformProjection } from '#libs/domain';
import type { PolicyAction, PolicyField, PolicyInput } from './policy-engine.js';

export interface DecisionRequest {
  action: PolicyAction;
  subjectId: string;
  dataset?: string | null;
  grant?: GrantView | null;
  purpose?: string | null;
  /** The contract version the action is about; default: the dataset's current version. */
  contract?: ContractTerms;
  now: Date;
}

/** Every top-level payload field, tagged or not, so grants that name fields can drop the rest. */
function allFields(contract: ContractTerms): Record<string, PolicyField> {
  const properties = (contract.schema as { properties?: Record<string, unknown> }).properties ?? {};
  const fields: Record<string, PolicyField> = {};
  for (const name of Object.keys(properties)) fields[name] = { tags: [] };
  for (const [name, field] of Object.entries(contract.fields)) {
    fields[name] = field.residency
      ? { tags: [...field.tags], residency: field.residency }
      : { tags: [...field.tags] };
  }
  return fields;
}

function party(state: PlatformProjection, id: string | undefined) {
  const p = id ? state.participants.get(id) : undefined;
  return p ? { id: p.id, industry: p.industry, country: p.country } : null;
}

/**
 * Builds the one policy input shape from what the service knows. Only facts the policy needs go in:
 * no payloads, no keys, so the input can be recorded as is.
 */
export function buildPolicyInput(state: PlatformProjection, req: DecisionRequest): PolicyInput {
  const subject = state.participants.get(req.subjectId);
  if (!subject)
    throw notFound('PARTICIPANT.NOT_FOUND', 'The calling participant is not known to this service yet');
  const contract = req.contract ?? (req.dataset ? state.currentContract(req.dataset) : undefined);
  const grant = req.grant ?? null;
  return {
    action: req.action,
    now: req.now.getTime(),
    subject: {
      id: subject.id,
      industry: subject.industry,
      country: subject.country,
      roles: subject.roles,
      status: subject.status,
    },
    contract: contract
      ? {
          dataset: contract.dataset,
          owner: contract.owner,
          version: contract.version,
          status: contract.status,
          purposes: contract.purposes,
          sensitivity: contract.sensitivity,
          residency: contract.residency,
          visibility: contract.visibility ?? 'consortium',
          invited: contract.invited ?? [],
          fields: allFields(contract),
        }
      : null,
    originator: party(state, contract?.owner),
    consumer: party(state, grant?.consumer),
    grant: grant
      ? {
          id: grant.id,
          state: grant.state,
          consumer: grant.consumer,
          originator: grant.originator,
          dataset: grant.dataset,
          purpose: grant.purpose,
          fields: grant.fields,
          validFrom: Date.parse(grant.validFrom),
          validUntil: grant.validUntil ? Date.parse(grant.validUntil) : null,
        }
      : null,
    purpose: req.purpose ?? grant?.purpose ?? null,
  };
}
