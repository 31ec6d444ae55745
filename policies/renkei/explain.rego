# Why a decision came out the way it did: the deciding rule and one explanation
# per reason (on an allow, one for the allow rule), each {"code", "message",
# "params"}. The message is an English sentence built from the input; params
# holds the values it names, so a console can say the same in another language
# from code and params.
#
# What an explanation may show: the requesting participant's own attributes,
# the contract's published terms (dataset, version, status, purposes,
# residency, minimum protection, domain) and the grant the request is about.
# It never shows a person reference (record keys and subjects are not read
# here), another participant's attributes (the consumer of grant.approve is
# "the grant's consumer", whatever its country, protection or certificates),
# an invited list, or the names of a derived dataset's inputs (only how many
# are not visible).
package renkei

# METADATA
# title: Rule
# description: |
#   The code of the rule that decided. A deny: its first reason (reasons are
#   sorted, so this is stable for a given set of reasons). An allow:
#   ALLOW.<ACTION>, the action upper-cased with "." and "-" as "_" (e.g.
#   ALLOW.SUBSCRIBE, ALLOW.GRANT_APPROVE), in the reason codes' grammar
#   <DOMAIN>.<CONDITION>.
rule := sorted_reasons[0] if count(reasons) > 0

rule := allow_rule if allow

allow_rule := concat("", ["ALLOW.", upper(replace(replace(input.action, ".", "_"), "-", "_"))])

sorted_reasons := sort(reasons)

# METADATA
# title: Explanations
# description: |
#   One {"code", "message", "params"} per reason, in the order of the sorted
#   reasons; on an allow, one for the allow rule.
explanations := [explanation(code) | some code in sorted_reasons] if count(reasons) > 0

explanations := [{
	"code": allow_rule,
	"message": allow_message,
	"params": {"action": action_value, "participant": participant, "dataset": dataset},
}] if allow

allow_message := $"participant {q(participant)} may {allowed_to}: every rule of the policy holds"

# What an allow lets the participant do, in words.
allowed_to := "read the audit record" if {
	input.action == "audit.read"
} else := $"approve grant {q(grant_id)} on dataset {q(dataset)}" if {
	input.action == "grant.approve"
} else := $"{object.get(allow_verbs, input.action, concat("", [input.action, " on"]))} dataset {q(dataset)}"

allow_verbs := {
	"contract.register": "register this contract of",
	"publish": "publish to",
	"grant.request": "request a grant on",
	"token.issue": "be issued a token for",
	"subscribe": "subscribe to",
	"deliver": "receive events of",
	"aggregate.release": "release an aggregate of",
}

# A reason without an explanation of its own still gets one (a test keeps every
# reason explained, so this never shows).
explanation(code) := e if {
	e := explain(code)
} else := {"code": code, "message": $"denied by policy rule {code}", "params": {}}

# ---------------------------------------------------------------------------
# Values as the explanations show them
# ---------------------------------------------------------------------------

# A value of the input, null when missing.
value(path) := object.get(input, path, null)

action_value := value(["action"])

participant := value(["subject", "id"])

dataset := value(["contract", "dataset"])

grant_id := value(["grant", "id"])

# A value quoted for a sentence: 'text', a number as is, (none) when missing.
q(x) := $"'{x}'" if is_string(x)

else := $"{x}" if is_number(x)

else := "(none)" if x == null

else := "(invalid)"

# A list for a sentence: "a, b", (none) when empty or missing.
listed(xs) := concat(", ", xs) if {
	is_array(xs)
	count(xs) > 0
	every x in xs {
		is_string(x)
	}
} else := "(none)"

# Who receives the data: the requesting participant, or the grant's consumer
# when the originator approves (its attributes are not shown).
recipient_text := "the grant's consumer" if input.action == "grant.approve"

else := $"participant {q(participant)}"

# ---------------------------------------------------------------------------
# One explanation per reason code
# ---------------------------------------------------------------------------

explain("ACTION.UNKNOWN") := {
	"code": "ACTION.UNKNOWN",
	"message": $"action {q(value(["action"]))} is not one the policy decides",
	"params": {"action": value(["action"])},
}

explain("SUBJECT.NOT_ACTIVE") := {
	"code": "SUBJECT.NOT_ACTIVE",
	"message": $"participant {q(participant)} is {q(value(["subject", "status"]))}, not 'active'",
	"params": {"participant": participant, "status": value(["subject", "status"])},
}

explain("ROLE.MISSING") := {
	"code": "ROLE.MISSING",
	"message": role_message,
	"params": {"participant": participant, "action": action_value, "required": required_roles},
}

role_message := $"participant {q(participant)} has neither of the roles {listed(required_roles)} that {q(input.action)} needs" if {
	count(required_roles) > 1
} else := $"participant {q(participant)} does not have the role {q(required_roles[0])} that {q(input.action)} needs"

required_roles := ["admin", "compliance"] if input.action == "audit.read"

else := ["member"]

explain("CONTRACT.MISSING") := {
	"code": "CONTRACT.MISSING",
	"message": $"action {q(value(["action"]))} needs a data contract, and none was found",
	"params": {"action": value(["action"])},
}

explain("GRANT.MISSING") := {
	"code": "GRANT.MISSING",
	"message": $"action {q(value(["action"]))} needs a grant, and none was found",
	"params": {"action": value(["action"])},
}

explain("SUBJECT.NOT_OWNER") := {
	"code": "SUBJECT.NOT_OWNER",
	"message": not_owner_message,
	"params": {"participant": participant, "action": action_value, "dataset": dataset, "grant": grant_id},
}

not_owner_message := $"only the owner of dataset {q(dataset)}, who is the originator of grant {q(grant_id)}, may approve it; participant {q(participant)} is not" if {
	input.action == "grant.approve"
} else := $"participant {q(participant)} does not own dataset {q(dataset)}: only its owner may {object.get(owner_verbs, input.action, input.action)}"

owner_verbs := {"contract.register": "register its contracts", "publish": "publish to it"}

explain("SUBJECT.IS_OWNER") := {
	"code": "SUBJECT.IS_OWNER",
	"message": $"participant {q(participant)} owns dataset {q(dataset)}: an owner does not request grants on its own data",
	"params": {"participant": participant, "dataset": dataset},
}

explain("CONTRACT.NOT_VISIBLE") := {
	"code": "CONTRACT.NOT_VISIBLE",
	"message": $"dataset {q(dataset)} is not visible to participant {q(participant)}",
	"params": {"participant": participant, "dataset": dataset},
}

explain("CONTRACT.NOT_ACTIVE") := {
	"code": "CONTRACT.NOT_ACTIVE",
	"message": $"the contract of dataset {q(dataset)} version {q(value(["contract", "version"]))} is {q(value(["contract", "status"]))}: {contract_status_rule}",
	"params": {
		"action": action_value,
		"dataset": dataset,
		"version": value(["contract", "version"]),
		"status": value(["contract", "status"]),
	},
}

contract_status_rule := "only an active version takes grant requests" if {
	input.action == "grant.request"
} else := $"only an active or deprecated version serves {input.action}"

explain("PURPOSE.NOT_ALLOWED") := {
	"code": "PURPOSE.NOT_ALLOWED",
	"message": purpose_message,
	"params": {
		"action": action_value,
		"purpose": value(["purpose"]),
		"grantPurpose": value(["grant", "purpose"]),
		"purposes": value(["contract", "purposes"]),
	},
}

contract_purposes := listed(value(["contract", "purposes"]))

purpose_message := $"the grant's purpose {q(value(["grant", "purpose"]))} is not among the contract's purposes {contract_purposes}" if {
	input.action == "grant.approve"
} else := $"purpose {q(value(["purpose"]))} is not the grant's purpose {q(value(["grant", "purpose"]))}" if {
	grant_use_action
	value(["purpose"]) != value(["grant", "purpose"])
} else := $"the grant's purpose {q(value(["grant", "purpose"]))} is no longer among the contract's purposes {contract_purposes}" if {
	grant_use_action
} else := $"no purpose was given; the contract's purposes are {contract_purposes}" if {
	value(["purpose"]) == null
} else := $"purpose {q(value(["purpose"]))} is not among the contract's purposes {contract_purposes}"

explain("RESIDENCY.VIOLATION") := {
	"code": "RESIDENCY.VIOLATION",
	"message": residency_message,
	"params": residency_params,
}

residency_message := $"data of dataset {q(dataset)} must stay in {q(value(["contract", "residency"]))}, and the grant's consumer is not located there" if {
	input.action == "grant.approve"
} else := $"data of dataset {q(dataset)} must stay in {q(value(["contract", "residency"]))}, and participant {q(participant)} is located in {q(value(["subject", "country"]))}"

residency_params := {
	"action": action_value,
	"dataset": dataset,
	"residency": value(["contract", "residency"]),
} if {
	input.action == "grant.approve"
} else := {
	"action": action_value,
	"dataset": dataset,
	"residency": value(["contract", "residency"]),
	"participant": participant,
	"country": value(["subject", "country"]),
}

explain("GRANT.NOT_REQUESTED") := {
	"code": "GRANT.NOT_REQUESTED",
	"message": $"grant {q(grant_id)} is {q(value(["grant", "state"]))}: only a requested grant can be approved",
	"params": {"grant": grant_id, "state": value(["grant", "state"])},
}

explain("GRANT.NOT_ACTIVE") := {
	"code": "GRANT.NOT_ACTIVE",
	"message": $"grant {q(grant_id)} is {q(value(["grant", "state"]))}, not 'granted'",
	"params": {"grant": grant_id, "state": value(["grant", "state"])},
}

explain("GRANT.WRONG_CONSUMER") := {
	"code": "GRANT.WRONG_CONSUMER",
	"message": wrong_consumer_message,
	"params": {"action": action_value, "grant": grant_id, "participant": participant},
}

wrong_consumer_message := $"the consumer named for the approval is not the consumer of grant {q(grant_id)}" if {
	input.action == "grant.approve"
} else := $"grant {q(grant_id)} was not granted to participant {q(participant)}"

explain("GRANT.WRONG_DATASET") := {
	"code": "GRANT.WRONG_DATASET",
	"message": $"grant {q(grant_id)} is for dataset {q(value(["grant", "dataset"]))}, not {q(dataset)}",
	"params": {"grant": grant_id, "grantDataset": value(["grant", "dataset"]), "dataset": dataset},
}

explain("GRANT.NOT_YET_VALID") := {
	"code": "GRANT.NOT_YET_VALID",
	"message": $"grant {q(grant_id)} is not valid yet: it starts at {q(value(["grant", "validFrom"]))} (epoch ms), and now is {q(value(["now"]))}",
	"params": {"grant": grant_id, "validFrom": value(["grant", "validFrom"]), "now": value(["now"])},
}

explain("GRANT.EXPIRED") := {
	"code": "GRANT.EXPIRED",
	"message": $"grant {q(grant_id)} ended at {q(value(["grant", "validUntil"]))} (epoch ms), and now is {q(value(["now"]))}",
	"params": {"grant": grant_id, "validUntil": value(["grant", "validUntil"]), "now": value(["now"])},
}

explain("GRANT.HISTORY_NOT_GRANTED") := {
	"code": "GRANT.HISTORY_NOT_GRANTED",
	"message": $"events published from {q(value(["delivery", "publishedFrom"]))} (epoch ms) predate the history start {q(value(["grant", "historyFrom"]))} of grant {q(grant_id)}",
	"params": {
		"grant": grant_id,
		"publishedFrom": value(["delivery", "publishedFrom"]),
		"historyFrom": value(["grant", "historyFrom"]),
	},
}

explain("LINEAGE.INPUT_NOT_VISIBLE") := {
	"code": "LINEAGE.INPUT_NOT_VISIBLE",
	"message": lineage_message,
	"params": {"participant": participant, "dataset": dataset, "hiddenInputs": hidden_inputs},
}

# How many inputs of a derived dataset the participant cannot see (never which).
hidden_inputs := count({d | some d in contract_lineage; not lineage_input_visible(d)}) if {
	not lineage_malformed
} else := null

lineage_message := $"derived dataset {q(dataset)} is computed from {hidden_inputs} input dataset(s) that participant {q(participant)} neither owns nor holds a live grant on, and it is not an aggregate over enough contributors" if {
	is_number(hidden_inputs)
} else := $"derived dataset {q(dataset)} has a malformed lineage"

explain("PROTECTION.INSUFFICIENT") := {
	"code": "PROTECTION.INSUFFICIENT",
	"message": protection_message,
	"params": protection_params,
}

protection_message := $"dataset {q(dataset)} needs recipients protected by at least {q(value(["contract", "minimumProtection"]))}, and the grant's consumer's attested protection does not reach it" if {
	input.action == "grant.approve"
} else := $"dataset {q(dataset)} needs recipients protected by at least {q(value(["contract", "minimumProtection"]))}, and participant {q(participant)} attests {q(value(["subject", "protection"]))}"

protection_params := {
	"action": action_value,
	"dataset": dataset,
	"required": value(["contract", "minimumProtection"]),
} if {
	input.action == "grant.approve"
} else := {
	"action": action_value,
	"dataset": dataset,
	"required": value(["contract", "minimumProtection"]),
	"participant": participant,
	"protection": value(["subject", "protection"]),
}

explain("HEALTH.RECIPIENT_NOT_CERTIFIED") := {
	"code": "HEALTH.RECIPIENT_NOT_CERTIFIED",
	"message": $"{health_data_text}, and {recipient_text} is not certified 'health-data-handler'",
	"params": {
		"action": action_value,
		"dataset": dataset,
		"domain": value(["contract", "domain"]),
		"certification": "health-data-handler",
	},
}

health_data_text := $"dataset {q(dataset)} holds health data" if {
	input.contract.domain == "health"
} else := $"dataset {q(dataset)} names no domain other than health (domain {q(value(["contract", "domain"]))}), so it counts as health data"

explain("CONSENT.MISSING") := {
	"code": "CONSENT.MISSING",
	"message": "a delivery must state what the persons' consents say about each of its records, and it did not",
	"params": {},
}

explain("AGGREGATE.BELOW_K") := {
	"code": "AGGREGATE.BELOW_K",
	"message": below_k_message,
	"params": {
		"dataset": dataset,
		"contributors": value(["aggregate", "contributors"]),
		"k": shown_k,
		"minK": contract_min_k,
	},
}

shown_k := k if {
	k := aggregate_k_required
} else := null

below_k_message := $"the aggregate rests on {value(["aggregate", "contributors"])} contributors, fewer than the {aggregate_k_required} it needs (the contract's minimum is {contract_min_k})" if {
	is_number(value(["aggregate", "contributors"]))
	is_number(aggregate_k_required)
} else := "the aggregate's contributor count or its k is missing or invalid"
