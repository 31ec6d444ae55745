# METADATA
# title: Renkei data-sharing authorisation
# description: |
#   Decides whether a participant may perform a Renkei platform action
#   (contract registration, grant lifecycle, token issuance, publish,
#   subscribe, deliver, audit access) and, for data-flow actions, which
#   obligations (field drops and pseudonymisation) the data plane must apply.
#   The policy is deny-by-default and fail-closed: every check is written as a
#   positive condition and a missing or mistyped input value makes it fail.
#   Only builtins supported by OPA's WebAssembly target are used.
package renkei

# METADATA
# title: Decision
# description: |
#   The single entrypoint. Always a full object:
#   {"allow": bool, "reasons": [code...] (sorted), "obligations": {"drop": [...], "pseudonymise": [...]}}.
#   When allow is false, reasons is non-empty and obligations are empty.
# entrypoint: true
default decision := {
	"allow": false,
	"reasons": ["POLICY.UNDEFINED"],
	"obligations": {"drop": [], "pseudonymise": []},
}

decision := {
	"allow": allow,
	"reasons": sort(reasons),
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
#   Field handling the data plane must apply. Only non-empty for allowed
#   token.issue / subscribe / deliver decisions.
default obligations := {"drop": [], "pseudonymise": []}

obligations := {
	"drop": sort(dropped_fields),
	"pseudonymise": sort(pseudonymised_fields),
} if {
	allow
	grant_use_action
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
}

action_known if input.action in known_actions

grant_use_action if input.action in grant_use_actions

needs_contract if input.action in contract_actions

needs_grant if grant_use_action

needs_grant if input.action == "grant.approve"

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

# Residency: when the contract pins a country, the receiving participant must
# be located there. A missing (rather than null) residency is treated as pinned
# to an unknown country, i.e. it fails closed.
residency_satisfied_by(_) if input.contract.residency == null

residency_satisfied_by(party) if {
	is_string(input.contract.residency)
	party.country == input.contract.residency
}

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
	not purpose_offered(input.purpose)
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
	not residency_satisfied_by(input.subject)
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
	not residency_satisfied_by(input.consumer)
}

reasons contains "PURPOSE.NOT_ALLOWED" if {
	input.action == "grant.approve"
	contract_present
	grant_present
	not purpose_offered(input.grant.purpose)
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
	not residency_satisfied_by(input.subject)
}

reasons contains "CONTRACT.NOT_ACTIVE" if {
	grant_use_action
	contract_present
	not contract_serves_grants
}

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
