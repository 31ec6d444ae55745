import {
  historyStartMs,
  MinimumProtection,
  notFound,
  type ConsentStatus,
  type ContractTerms,
  type GrantView,
  type ParticipantView,
  type PlatformProjection,
} from '@renkei/domain';
import type {
  PolicyAction,
  PolicyAggregate,
  PolicyDelivery,
  PolicyField,
  PolicyInput,
  PolicyParty,
} from './policy-engine.js';

/** Deletion period of a grant that does not state one (clearing's default for new grants). */
export const DEFAULT_DELETION_DAYS = 30;

export interface DecisionRequest {
  action: PolicyAction;
  subjectId: string;
  dataset?: string | null;
  grant?: GrantView | null;
  purpose?: string | null;
  /** The contract version the action is about; default: the dataset's current version. */
  contract?: ContractTerms;
  /**
   * deliver: every record about a person in the batch, keyed by event id, with what that person's consents
   * say about this use of it (`PlatformProjection.consentsFor`); `{}` when no record names a person. Without
   * it a delivery is denied (CONSENT.MISSING). Keys are event ids so no person reference reaches the input.
   */
  subjects?: Record<string, ConsentStatus> | null;
  /** aggregate.release: distinct contributors of the aggregate and the k the requester asks for (or null). */
  aggregate?: PolicyAggregate | null;
  /**
   * Derived contracts: per lineage input, whether the subject may see it. Default: computed from the
   * projection's grants (lineageVisibility); a service whose projection holds no grants (clearing keeps
   * them in its database) passes what it knows instead.
   */
  consumerInputs?: Record<string, boolean>;
  /** deliver: the earliest publication time of the events decided (the grant's history term is checked). */
  delivery?: PolicyDelivery;
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

/**
 * A participant's facts; attestations missing from older events become "none" (the policy then denies).
 * A certification whose attested expiry has passed counts as absent.
 */
function partyOf(p: ParticipantView, now: Date): PolicyParty {
  const attested: Partial<Pick<ParticipantView, 'certifications' | 'protection'>> = p;
  const expiry = p.certificationExpiry ?? {};
  return {
    id: p.id,
    industry: p.industry,
    country: p.country,
    certifications: (attested.certifications ?? []).filter((c) => {
      const until = expiry[c];
      return until === undefined || Date.parse(until) > now.getTime();
    }),
    protection: attested.protection ?? 'none',
  };
}

function party(state: PlatformProjection, id: string | undefined, now: Date): PolicyParty | null {
  const p = id ? state.participants.get(id) : undefined;
  return p ? partyOf(p, now) : null;
}

/**
 * For a derived contract: whether each input dataset of its lineage is visible to the participant, i.e. it
 * owns the input's current contract, or holds a live grant on it (granted, started, not ended).
 */
export function lineageVisibility(
  state: PlatformProjection,
  participantId: string,
  lineage: readonly { dataset: string }[],
  now: Date,
): Record<string, boolean> {
  const at = now.getTime();
  const visible: Record<string, boolean> = {};
  for (const { dataset } of lineage) {
    if (state.currentContract(dataset)?.owner === participantId) {
      visible[dataset] = true;
      continue;
    }
    visible[dataset] = false;
    for (const grant of state.grants.values()) {
      if (
        grant.consumer === participantId &&
        grant.dataset === dataset &&
        grant.state === 'granted' &&
        Date.parse(grant.validFrom) <= at &&
        (grant.validUntil === null || Date.parse(grant.validUntil) > at)
      ) {
        visible[dataset] = true;
        break;
      }
    }
  }
  return visible;
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
    subject: { ...partyOf(subject, req.now), roles: subject.roles, status: subject.status },
    contract: contract
      ? {
          dataset: contract.dataset,
          owner: contract.owner,
          version: contract.version,
          status: contract.status,
          domain: contract.domain,
          purposes: contract.purposes,
          sensitivity: contract.sensitivity,
          // One source of truth for the sensitivity minimums; an unknown sensitivity leaves it out (deny).
          minimumProtection: MinimumProtection[contract.sensitivity],
          residency: contract.residency,
          visibility: contract.visibility ?? 'consortium',
          invited: contract.invited ?? [],
          fields: allFields(contract),
          ...(contract.lineage
            ? {
                lineage: contract.lineage.map((l) => l.dataset),
                derived: contract.derived ?? { aggregate: false, contributors: null },
              }
            : {}),
        }
      : null,
    originator: party(state, contract?.owner, req.now),
    consumer: party(state, grant?.consumer, req.now),
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
          deletionDays: grant.deletionDays ?? DEFAULT_DELETION_DAYS,
          onwardTransfer: grant.onwardTransfer ?? false,
          historyFrom: historyStartMs(grant),
        }
      : null,
    purpose: req.purpose ?? grant?.purpose ?? null,
    subjects: req.subjects ?? null,
    aggregate: req.aggregate ?? null,
    ...(req.delivery ? { delivery: req.delivery } : {}),
    ...(contract?.lineage
      ? {
          consumerInputs:
            req.consumerInputs ?? lineageVisibility(state, req.subjectId, contract.lineage, req.now),
        }
      : {}),
  };
}
