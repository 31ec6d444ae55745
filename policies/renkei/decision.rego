# METADATA
# title: Renkei data-sharing authorisation
# description: |
#   Decides whether a participant may perform a Renkei platform action
#   (contract registration, grant lifecycle, token issuance, publish,
#   subscribe, deliver, aggregate release, audit access) and, for data-flow
#   actions, which obligations the data plane must apply (field drops,
#   pseudonymisation, per-person withholding and identification, the minimum k
#   for aggregates and the deletion deadline).
#   The policy is deny-by-default and fail-closed: every check is written as a
#   positive condition and a missing or mistyped input value makes it fail.
#   Only builtins supported by OPA's WebAssembly target are used.
package renkei

# METADATA
# title: Decision
# description: |
#   The single entrypoint. Always a full object:
#   {"allow": bool, "reasons": [code...] (sorted), "rule": code,
#   "explanations": [{"code", "message", "params"}...], "obligations":
#   {"drop": [...], "pseudonymise": [...], "withhold": [...], "identify": [...],
#   "minK": n|null, "deleteBy": ms|null}}.
#   When allow is false, reasons is non-empty, rule is the first reason,
#   explanations has one entry per reason and obligations are empty. When allow
#   is true, rule is ALLOW.<ACTION> with one explanation (explain.rego).
# entrypoint: true
default decision := {
	"allow": false,
	"reasons": ["POLICY.UNDEFINED"],
	"rule": "POLICY.UNDEFINED",
	"explanations": [{
		"code": "POLICY.UNDEFINED",
		"message": "the policy reached no decision on this input, so it is denied",
		"params": {},
	}],
	"obligations": {
		"drop": [],
		"pseudonymise": [],
		"withhold": [],
		"identify": [],
		"minK": null,
		"deleteBy": null,
	},
}

decision := {
	"allow": allow,
	"reasons": sorted_reasons,
	"rule": rule,
	"explanations": explanations,
	"obligations": obligations,
}

# METADATA
# title: Allow
# description: True exactly when no reason to deny was found.
default allow := false

allow if count(reasons) == 0

# METADATA
# title: Obligations
# description: |
#   What the data plane must apply. Only non-empty for allowed token.issue /
#   subscribe / deliver decisions (fields to drop and pseudonymise, person
#   references whose records are withheld or delivered identified, the minimum
#   k for aggregates, the deletion deadline) and allowed aggregate.release
#   decisions (the minimum k).
default obligations := {
	"drop": [],
	"pseudonymise": [],
	"withhold": [],
	"identify": [],
	"minK": null,
	"deleteBy": null,
}

obligations := {
	"drop": sort(dropped_fields),
	"pseudonymise": sort(pseudonymised_fields),
	"withhold": sort(withheld_subjects),
	"identify": sort(identified_subjects),
	"minK": contract_min_k,
	"deleteBy": delete_by,
} if {
	allow
	grant_use_action
}

obligations := {
	"drop": [],
	"pseudonymise": [],
	"withhold": [],
	"identify": [],
	"minK": contract_min_k,
	"deleteBy": null,
} if {
	allow
	input.action == "aggregate.release"
}

# ---------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------

known_actions := {
	"contract.register",
	"grant.request",
	"grant.approve",
	"token.issue",
	"publish",
	"subscribe",
	"deliver",
	"aggregate.release",
	"audit.read",
}

# Actions that exercise an existing grant to move data.
grant_use_actions := {"token.issue", "subscribe", "deliver"}

# Actions that need a data contract in the input.
contract_actions := {
	"contract.register",
	"grant.request",
	"grant.approve",
	"token.issue",
	"publish",
	"subscribe",
	"deliver",
	"aggregate.release",
}

# Actions whose receiving participant must be protected and, for health data,
# certified: the subject, or the grant's consumer when the originator approves.
recipient_actions := {
	"grant.request",
	"grant.approve",
	"token.issue",
	"subscribe",
	"deliver",
}

action_known if input.action in known_actions

grant_use_action if input.action in grant_use_actions

needs_contract if input.action in contract_actions

needs_grant if grant_use_action

needs_grant if input.action == "grant.approve"

recipient_action if input.action in recipient_actions

recipient := input.consumer if input.action == "grant.approve"

recipient := input.subject if {
	recipient_action
	input.action != "grant.approve"
}

# ---------------------------------------------------------------------------
# Facts about the input (positive conditions; undefined means "not proven")
# ---------------------------------------------------------------------------

subject_id := input.subject.id if is_string(input.subject.id)

subject_active if input.subject.status == "active"

subject_has_role(role) if role in input.subject.roles

subject_may_read_audit if subject_has_role("compliance")

subject_may_read_audit if subject_has_role("admin")

contract_present if is_object(input.contract)

grant_present if is_object(input.grant)

subject_owns_contract if subject_id == input.contract.owner

subject_is_grant_originator if subject_id == input.grant.originator

subject_is_grant_consumer if subject_id == input.grant.consumer

contract_active if input.contract.status == "active"

grant_requested if input.grant.state == "requested"

grant_granted if input.grant.state == "granted"

# Deprecated contracts keep serving grants that already exist.
contract_serves_grants if contract_active

contract_serves_grants if input.contract.status == "deprecated"

purpose_offered(purpose) if {
	is_string(purpose)
	purpose in input.contract.purposes
}

# Checks of a value that may be missing go through a rule of their own: OPA
# binds a call's arguments outside the negation, so `not f(input.x)` is
# undefined (not true) when input.x is missing and would not fail closed.
requested_purpose_offered if purpose_offered(input.purpose)

granted_purpose_offered if purpose_offered(input.grant.purpose)

# Residency: when the contract pins a country, the receiving participant must
# be located there. A missing (rather than null) residency is treated as pinned
# to an unknown country, i.e. it fails closed.
residency_satisfied_by(_) if input.contract.residency == null

residency_satisfied_by(party) if {
	is_string(input.contract.residency)
	party.country == input.contract.residency
}

subject_residency_satisfied if residency_satisfied_by(input.subject)

consumer_residency_satisfied if residency_satisfied_by(input.consumer)

grant_matches_dataset if {
	is_string(input.grant.dataset)
	input.grant.dataset == input.contract.dataset
}

grant_started if {
	is_number(input.now)
	is_number(input.grant.validFrom)
	input.now >= input.grant.validFrom
}

grant_not_ended if input.grant.validUntil == null

grant_not_ended if {
	is_number(input.now)
	is_number(input.grant.validUntil)
	input.now < input.grant.validUntil
}

# The purpose presented for a data flow must be the granted purpose and still
# be offered by the contract.
grant_use_purpose_allowed if {
	input.purpose == input.grant.purpose
	purpose_offered(input.purpose)
}

# Protection: the receiving participant's attested protection must be at least
# the contract's minimum (derived from its sensitivity by the caller). An
# unknown level on either side fails.
protection_rank := {"none": 0, "access-control": 1, "field-encryption": 2}

recipient_protected if {
	protection_rank[recipient.protection] >= protection_rank[input.contract.minimumProtection]
}

# Health data: only recipients certified as health-data handlers. A contract is
# only exempt when its domain is provably something other than health.
contract_not_health if {
	is_string(input.contract.domain)
	input.contract.domain != "health"
}

recipient_certified_for_domain if contract_not_health

recipient_certified_for_domain if "health-data-handler" in recipient.certifications

# The consumer record supplied for grant.approve must be the grant's consumer.
approve_consumer_is_grant_consumer if {
	is_string(input.consumer.id)
	input.consumer.id == input.grant.consumer
}

# ---------------------------------------------------------------------------
# Reasons to deny
# ---------------------------------------------------------------------------

# METADATA
# title: Reasons
# description: Set of stable deny codes; empty means allow.
reasons contains "ACTION.UNKNOWN" if not action_known

reasons contains "SUBJECT.NOT_ACTIVE" if not subject_active

reasons contains "CONTRACT.MISSING" if {
	needs_contract
	not contract_present
}

reasons contains "GRANT.MISSING" if {
	needs_grant
	not grant_present
}

# contract.register -----------------------------------------------------------

reasons contains "ROLE.MISSING" if {
	input.action == "contract.register"
	not subject_has_role("member")
}

reasons contains "SUBJECT.NOT_OWNER" if {
	input.action == "contract.register"
	contract_present
	not subject_owns_contract
}

# publish ---------------------------------------------------------------------

# Producers may keep publishing under a deprecated version while they move to
# the current one; drafts and retired versions carry no events.
reasons contains "CONTRACT.NOT_ACTIVE" if {
	input.action == "publish"
	contract_present
	not contract_serves_grants
}

reasons contains "SUBJECT.NOT_OWNER" if {
	input.action == "publish"
	contract_present
	not subject_owns_contract
}

# grant.request ---------------------------------------------------------------

reasons contains "ROLE.MISSING" if {
	input.action == "grant.request"
	not subject_has_role("member")
}

reasons contains "CONTRACT.NOT_ACTIVE" if {
	input.action == "grant.request"
	contract_present
	not contract_active
}

reasons contains "PURPOSE.NOT_ALLOWED" if {
	input.action == "grant.request"
	contract_present
	not requested_purpose_offered
}

reasons contains "SUBJECT.IS_OWNER" if {
	input.action == "grant.request"
	contract_present
	not subject_is_not_owner
}

subject_is_not_owner if subject_id != input.contract.owner

# An invited-only dataset can only be requested by the participants its owner
# invited; to everyone else it does not exist. A missing visibility fails closed.
reasons contains "CONTRACT.NOT_VISIBLE" if {
	input.action == "grant.request"
	contract_present
	not contract_visible_to_subject
}

contract_visible_to_subject if input.contract.visibility == "consortium"

contract_visible_to_subject if {
	input.contract.visibility == "invited"
	subject_id in input.contract.invited
}

reasons contains "RESIDENCY.VIOLATION" if {
	input.action == "grant.request"
	contract_present
	not subject_residency_satisfied
}

# grant.approve ---------------------------------------------------------------

reasons contains "SUBJECT.NOT_OWNER" if {
	input.action == "grant.approve"
	contract_present
	not subject_owns_contract
}

reasons contains "SUBJECT.NOT_OWNER" if {
	input.action == "grant.approve"
	grant_present
	not subject_is_grant_originator
}

reasons contains "GRANT.NOT_REQUESTED" if {
	input.action == "grant.approve"
	grant_present
	not grant_requested
}

reasons contains "GRANT.WRONG_DATASET" if {
	input.action == "grant.approve"
	contract_present
	grant_present
	not grant_matches_dataset
}

reasons contains "GRANT.WRONG_CONSUMER" if {
	input.action == "grant.approve"
	grant_present
	not approve_consumer_is_grant_consumer
}

reasons contains "RESIDENCY.VIOLATION" if {
	input.action == "grant.approve"
	contract_present
	not consumer_residency_satisfied
}

reasons contains "PURPOSE.NOT_ALLOWED" if {
	input.action == "grant.approve"
	contract_present
	grant_present
	not granted_purpose_offered
}

# token.issue / subscribe / deliver -------------------------------------------

reasons contains "GRANT.NOT_ACTIVE" if {
	grant_use_action
	grant_present
	not grant_granted
}

reasons contains "GRANT.WRONG_CONSUMER" if {
	grant_use_action
	grant_present
	not subject_is_grant_consumer
}

reasons contains "GRANT.WRONG_DATASET" if {
	grant_use_action
	grant_present
	contract_present
	not grant_matches_dataset
}

reasons contains "GRANT.NOT_YET_VALID" if {
	grant_use_action
	grant_present
	not grant_started
}

reasons contains "GRANT.EXPIRED" if {
	grant_use_action
	grant_present
	not grant_not_ended
}

reasons contains "PURPOSE.NOT_ALLOWED" if {
	grant_use_action
	grant_present
	contract_present
	not grant_use_purpose_allowed
}

reasons contains "RESIDENCY.VIOLATION" if {
	grant_use_action
	contract_present
	not subject_residency_satisfied
}

reasons contains "CONTRACT.NOT_ACTIVE" if {
	grant_use_action
	contract_present
	not contract_serves_grants
}

# aggregate.release -----------------------------------------------------------

reasons contains "ROLE.MISSING" if {
	input.action == "aggregate.release"
	not subject_has_role("member")
}

reasons contains "PURPOSE.NOT_ALLOWED" if {
	input.action == "aggregate.release"
	contract_present
	not requested_purpose_offered
}

reasons contains "AGGREGATE.BELOW_K" if {
	input.action == "aggregate.release"
	contract_present
	not aggregate_meets_k
}

# k-anonymity: the aggregate must rest on at least max(requested k, the
# contract's minimum k) distinct contributors. A missing or mistyped count or k
# fails; a null k means "the contract's minimum".
aggregate_k_required := contract_min_k if input.aggregate.k == null

aggregate_k_required := max([contract_min_k, input.aggregate.k]) if is_number(input.aggregate.k)

aggregate_meets_k if {
	is_number(input.aggregate.contributors)
	input.aggregate.contributors >= aggregate_k_required
}

# Derived datasets: lineage ---------------------------------------------------

# A derived dataset (a contract with a lineage: the input datasets its events
# were computed from) is governed by all of its inputs' terms: nobody may
# request, be issued a token for, subscribe to or receive it unless each input
# is visible to them (the caller states per input whether the subject owns it
# or holds a live grant on it, in consumerInputs), except an aggregate resting
# on at least the contract's minimum k contributors. A contract without lineage
# (absent or null) is not derived.
lineage_actions := {"grant.request", "token.issue", "subscribe", "deliver"}

reasons contains "LINEAGE.INPUT_NOT_VISIBLE" if {
	input.action in lineage_actions
	contract_present
	some dataset in contract_lineage
	not lineage_input_visible(dataset)
	not derived_aggregate_above_k
}

# A lineage that is present but not a list of dataset names fails closed.
reasons contains "LINEAGE.INPUT_NOT_VISIBLE" if {
	input.action in lineage_actions
	contract_present
	lineage_malformed
	not derived_aggregate_above_k
}

contract_lineage := input.contract.lineage if is_array(input.contract.lineage)

lineage_malformed if {
	input.contract.lineage != null
	not is_array(input.contract.lineage)
}

lineage_malformed if {
	some dataset in contract_lineage
	not is_string(dataset)
}

lineage_input_visible(dataset) if input.consumerInputs[dataset] == true

# The aggregate exemption rests only on what the platform established: the
# registry's verified lineage and the distinct originators behind it, counted
# here. A declared contributors number is never read; an unverified or
# malformed derivation is not exempt.
derived_aggregate_above_k if {
	input.contract.derived.aggregate == true
	input.contract.derived.verified == true
	derived_contributor_count >= contract_min_k
}

derived_contributor_count := count({o | some o in input.contract.derived.originators; is_string(o)}) if {
	is_array(input.contract.derived.originators)
}

# Recipients: protection and health certification ----------------------------

reasons contains "PROTECTION.INSUFFICIENT" if {
	recipient_action
	contract_present
	not recipient_protected
}

reasons contains "HEALTH.RECIPIENT_NOT_CERTIFIED" if {
	recipient_action
	contract_present
	not recipient_certified_for_domain
}

# deliver: person consents ------------------------------------------------------

# The exchange must state, for every record of a delivery batch that is about a
# person, what that person's consents say about this use of it (an empty
# object when no record names a person); without it, opt-outs could not be
# honoured. Keys are record keys (event ids), never person references: one
# person's records may be answered differently (FHIR R5 provisions scoped by
# record type, label or time), and the decision record then carries no person.
# The answers come from the consent evaluator (libs/domain person-consent.ts:
# R5 decision as the base, provisions as nested exceptions, most restrictive
# of all consents in force); ADR 0012 says why it is evaluated there.
reasons contains "CONSENT.MISSING" if {
	input.action == "deliver"
	not consent_statuses_given
}

consent_statuses_given if is_object(input.subjects)

# audit.read ------------------------------------------------------------------

reasons contains "ROLE.MISSING" if {
	input.action == "audit.read"
	not subject_may_read_audit
}

# ---------------------------------------------------------------------------
# Obligations
# ---------------------------------------------------------------------------

# A field is within the grant when the grant covers all fields (null) or
# names it explicitly. A missing or mistyped field list covers nothing.
granted_field_names := {name | some name in input.grant.fields}

field_granted(_) if input.grant.fields == null

field_granted(name) if name in granted_field_names

# Competitive fields are only shown when the originator is provably in a
# different industry from the subject. An unknown originator (or one that is
# not the grant's originator) is treated as a competitor.
subject_industry_differs_from_originator if {
	input.originator.id == input.grant.originator
	is_string(input.subject.industry)
	is_string(input.originator.industry)
	input.subject.industry != input.originator.industry
}

personal_data_tags := {"personal", "sensitive-personal"}

field_is_personal(spec) if {
	some tag in spec.tags
	tag in personal_data_tags
}

# METADATA
# title: Dropped fields
# description: Fields outside the grant, plus competitive fields for same-industry consumers.
dropped_fields contains name if {
	some name, _ in input.contract.fields
	not field_granted(name)
}

dropped_fields contains name if {
	not subject_industry_differs_from_originator
	some name, spec in input.contract.fields
	"competitive" in spec.tags
}

# Field-level residency: a field pinned to a country is only delivered to
# consumers located there.
dropped_fields contains name if {
	some name, spec in input.contract.fields
	is_string(spec.residency)
	not input.subject.country == spec.residency
}

# METADATA
# title: Pseudonymised fields
# description: Personal or sensitive-personal fields that are delivered (not dropped).
pseudonymised_fields contains name if {
	some name, spec in input.contract.fields
	field_is_personal(spec)
	not name in dropped_fields
}

# METADATA
# title: Withheld subjects
# description: |
#   Record keys of records that must not be delivered: their person's consents
#   deny this use ("deny"), or the status is anything but "permit" or "none".
withheld_subjects contains ref if {
	input.action == "deliver"
	is_object(input.subjects)
	some ref, status in input.subjects
	not consent_allows_delivery(status)
}

consent_allows_delivery(status) if status in {"permit", "none"}

# METADATA
# title: Identified subjects
# description: |
#   For health contracts only: record keys whose person's consents permit this
#   use identified. These records keep personal and sensitive-personal fields
#   as they are instead of pseudonymised (dropped fields stay dropped).
identified_subjects contains ref if {
	input.action == "deliver"
	input.contract.domain == "health"
	is_object(input.subjects)
	some ref, status in input.subjects
	status == "permit"
}

# METADATA
# title: Minimum k
# description: |
#   The least number of distinct contributors any aggregate of this contract
#   must rest on: 3, or 5 for health data or a contract with personal or
#   sensitive-personal fields. 5 unless the contract is provably neither.
contract_min_k := 3 if {
	contract_not_health
	contract_fields_impersonal
} else := 5

contract_fields_impersonal if {
	is_object(input.contract.fields)
	every spec in input.contract.fields {
		is_array(spec.tags)
		not field_is_personal(spec)
	}
}

# METADATA
# title: Delete by
# description: |
#   Epoch ms by which the consumer must have deleted what it received: the
#   grant's end plus its deletion period; null for an open-ended grant (fixed
#   when the grant ends). A missing or invalid deletion period counts as 0 days.
delete_by := null if input.grant.validUntil == null

delete_by := input.grant.validUntil + (grant_deletion_days * 86400000) if is_number(input.grant.validUntil)

grant_deletion_days := days if {
	days := input.grant.deletionDays
	is_number(days)
	days >= 0
	floor(days) == days
} else := 0
