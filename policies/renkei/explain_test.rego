package renkei_test

# Every decision explains itself: the deciding rule and one explanation per
# reason. These tests hold every reason code the policy can give to an
# explanation of its own (not the generic fallback), over denials of every
# action, and keep personal and other participants' data out of the messages.

# Every reason code of the policy (decision.rego, history.rego). A TypeScript
# spec (libs/domain error-codes.spec.ts) keeps this list equal to the codes the
# Rego sources can give, so a new reason without an explanation fails here.
all_reason_codes := {
	"ACTION.UNKNOWN",
	"AGGREGATE.BELOW_K",
	"CONSENT.MISSING",
	"CONTRACT.MISSING",
	"CONTRACT.NOT_ACTIVE",
	"CONTRACT.NOT_VISIBLE",
	"GRANT.EXPIRED",
	"GRANT.HISTORY_NOT_GRANTED",
	"GRANT.MISSING",
	"GRANT.NOT_ACTIVE",
	"GRANT.NOT_REQUESTED",
	"GRANT.NOT_YET_VALID",
	"GRANT.WRONG_CONSUMER",
	"GRANT.WRONG_DATASET",
	"HEALTH.RECIPIENT_NOT_CERTIFIED",
	"LINEAGE.INPUT_NOT_VISIBLE",
	"POLICY.UNDEFINED",
	"PROTECTION.INSUFFICIENT",
	"PURPOSE.NOT_ALLOWED",
	"RESIDENCY.VIOLATION",
	"ROLE.MISSING",
	"SUBJECT.IS_OWNER",
	"SUBJECT.NOT_ACTIVE",
	"SUBJECT.NOT_OWNER",
}

uncertified_health := {"contract": {"domain": "health"}}

unprotected := {"protection": "none"}

# Denials of every action, between them giving every reason code but
# POLICY.UNDEFINED (the default decision, tested on its own below).
denials := [
	{},
	changed(publish_input, {"action": "contract.delete"}),
	changed(publish_input, {"action": 7}),
	changed(register_input, {"subject": {"roles": [], "status": "suspended"}}),
	changed(register_input, {"subject": consumer_subject}),
	changed(register_input, {"contract": null}),
	changed(publish_input, {"subject": consumer_subject, "contract": {"status": "retired"}}),
	changed(request_input, {"purpose": "marketing"}),
	changed(request_input, {"purpose": null}),
	json.remove(request_input, ["purpose"]),
	changed(request_input, {"subject": owner_subject}),
	changed(request_input, {"contract": {"status": "draft"}}),
	changed(request_input, {"contract": {"visibility": "invited", "invited": ["org-c"]}}),
	changed(request_input, {"contract": {"residency": "DE"}}),
	changed(request_input, {"subject": unprotected}),
	changed(request_input, uncertified_health),
	changed(request_input, {"contract": {"domain": null}}),
	changed(request_input, {"subject": {"roles": []}}),
	changed(request_input, {"contract": {"lineage": ["euv.supply", "euv.inventory"]}, "consumerInputs": {"euv.supply": true}}),
	changed(request_input, {"contract": {"lineage": "euv.supply"}}),
	changed(approve_input, {"subject": consumer_subject}),
	changed(approve_input, {"grant": {"state": "granted", "dataset": "ds.other", "purpose": "marketing"}}),
	changed(approve_input, {"consumer": {"id": "org-c"}}),
	changed(approve_input, {"contract": {"residency": "DE"}, "consumer": unprotected}),
	changed(approve_input, uncertified_health),
	changed(approve_input, {"grant": null}),
	changed(use_input("token.issue"), {"grant": {"state": "revoked", "consumer": "org-c"}}),
	changed(use_input("subscribe"), {"grant": {"validFrom": now + 5000}}),
	changed(use_input("subscribe"), {"grant": {"validUntil": now - 5000}}),
	changed(use_input("subscribe"), {"purpose": "marketing"}),
	changed(use_input("subscribe"), {"contract": {"purposes": ["demand-forecast"]}}),
	changed(use_input("subscribe"), {"grant": {"dataset": "ds.other"}}),
	changed(use_input("deliver"), {"subjects": null, "contract": {"status": "retired"}}),
	changed(use_input("deliver"), {"delivery": {"publishedFrom": now - 5000}}),
	changed(use_input("deliver"), {"subject": {"country": "US"}, "contract": {"residency": "JP"}}),
	changed(use_input("deliver"), {"subject": unprotected}),
	changed(aggregate_input, {"aggregate": {"contributors": 2, "k": null}}),
	changed(aggregate_input, {"aggregate": {"contributors": 6, "k": 10}}),
	changed(aggregate_input, {"aggregate": {"contributors": "many"}}),
	changed(aggregate_input, {"purpose": "marketing", "subject": {"roles": []}}),
	audit_input(["member"]),
]

decisions := [d | some inp in denials; d := data.renkei.decision with input as inp]

test_the_denials_give_every_reason_code if {
	count(decisions) == count(denials)
	given := {code | some d in decisions; some code in d.reasons}
	given == all_reason_codes - {"POLICY.UNDEFINED"}
}

# rule is the first sorted reason; one explanation per reason, in order.
explains(d) if {
	d.allow == false
	d.rule == d.reasons[0]
	count(d.explanations) == count(d.reasons)
	every i, e in d.explanations {
		e.code == d.reasons[i]
		well_formed(e)
	}
}

well_formed(e) if {
	is_string(e.message)
	count(e.message) > 10
	is_object(e.params)
	object.keys(e) == {"code", "message", "params"}
	not contains(e.message, "<undefined>")
	not startswith(e.message, "denied by policy rule")
}

test_every_denial_names_its_rule_and_explains_every_reason if {
	every d in decisions {
		explains(d)
	}
}

test_every_allow_names_its_allow_rule_with_one_explanation if {
	allows := [
		[register_input, "ALLOW.CONTRACT_REGISTER"],
		[publish_input, "ALLOW.PUBLISH"],
		[request_input, "ALLOW.GRANT_REQUEST"],
		[approve_input, "ALLOW.GRANT_APPROVE"],
		[use_input("token.issue"), "ALLOW.TOKEN_ISSUE"],
		[use_input("subscribe"), "ALLOW.SUBSCRIBE"],
		[use_input("deliver"), "ALLOW.DELIVER"],
		[aggregate_input, "ALLOW.AGGREGATE_RELEASE"],
		[audit_input(["compliance"]), "ALLOW.AUDIT_READ"],
	]
	every pair in allows {
		d := data.renkei.decision with input as pair[0]
		allowed(d)
		d.rule == pair[1]
		count(d.explanations) == 1
		d.explanations[0].code == pair[1]
		well_formed(d.explanations[0])
		d.explanations[0].params.action == pair[0].action
	}
}

test_allow_message_names_participant_action_and_dataset if {
	d := data.renkei.decision with input as use_input("subscribe")
	d.explanations[0].message == "participant 'org-b' may subscribe to dataset 'ds.orders': every rule of the policy holds"
	d.explanations[0].params == {"action": "subscribe", "participant": "org-b", "dataset": "ds.orders"}
	a := data.renkei.decision with input as approve_input
	a.explanations[0].message == "participant 'org-a' may approve grant 'g-1' on dataset 'ds.orders': every rule of the policy holds"
}

test_allow_without_dataset_names_participant_and_action if {
	d := data.renkei.decision with input as audit_input(["admin"])
	d.explanations[0].message == "participant 'org-a' may read the audit record: every rule of the policy holds"
}

test_the_default_decision_is_explained if {
	# Reasons that cannot be sorted leave the decision undefined: the default answers.
	d := data.renkei.decision with input as publish_input with data.renkei.reasons as 5
	d.rule == "POLICY.UNDEFINED"
	d.reasons == ["POLICY.UNDEFINED"]
	count(d.explanations) == 1
	d.explanations[0].code == "POLICY.UNDEFINED"
	well_formed(d.explanations[0])
}

test_purpose_not_allowed_names_the_purpose_and_the_contract_purposes if {
	c := {"contract": {"purposes": ["cfp-disclosure", "due-diligence"]}, "purpose": "marketing"}
	d := data.renkei.decision with input as changed(request_input, c)
	d.rule == "PURPOSE.NOT_ALLOWED"
	d.explanations[0] == {
		"code": "PURPOSE.NOT_ALLOWED",
		"message": "purpose 'marketing' is not among the contract's purposes cfp-disclosure, due-diligence",
		"params": {
			"action": "grant.request",
			"purpose": "marketing",
			"grantPurpose": null,
			"purposes": ["cfp-disclosure", "due-diligence"],
		},
	}
}

test_purpose_of_a_use_is_compared_with_the_grant if {
	d := data.renkei.decision with input as changed(use_input("subscribe"), {"purpose": "marketing"})
	d.explanations[0].message == "purpose 'marketing' is not the grant's purpose 'logistics'"
	d2 := data.renkei.decision with input as changed(use_input("subscribe"), {"contract": {"purposes": ["demand-forecast"]}})
	d2.explanations[0].message == "the grant's purpose 'logistics' is no longer among the contract's purposes demand-forecast"
}

test_a_missing_purpose_is_said_so if {
	d := data.renkei.decision with input as changed(request_input, {"purpose": null})
	d.explanations[0].message == "no purpose was given; the contract's purposes are demand-forecast, logistics"
}

test_below_k_names_contributors_and_k if {
	d := data.renkei.decision with input as changed(aggregate_input, {"aggregate": {"contributors": 6, "k": 10}})
	d.explanations[0].message == "the aggregate rests on 6 contributors, fewer than the 10 it needs (the contract's minimum is 5)"
	d.explanations[0].params == {"dataset": "ds.orders", "contributors": 6, "k": 10, "minK": 5}
}

test_several_reasons_are_explained_in_order if {
	d := data.renkei.decision with input as changed(use_input("token.issue"), {"grant": {"state": "revoked", "consumer": "org-c"}})
	d.reasons == ["GRANT.NOT_ACTIVE", "GRANT.WRONG_CONSUMER"]
	d.rule == "GRANT.NOT_ACTIVE"
	[e.code | some e in d.explanations] == d.reasons
	d.explanations[0].message == "grant 'g-1' is 'revoked', not 'granted'"
	d.explanations[1].message == "grant 'g-1' was not granted to participant 'org-b'"
}

# --- what the messages never show ----------------------------------------------

messages(d) := concat("\n", [e.message | some e in d.explanations])

params_text(d) := json.marshal([e.params | some e in d.explanations])

test_approval_denials_do_not_show_the_consumers_attributes if {
	inp := changed(approve_input, {
		"contract": {"residency": "DE", "domain": "health"},
		"consumer": {"country": "FR", "protection": "none", "certifications": ["iso-27799"], "industry": "pharma-x"},
	})
	d := data.renkei.decision with input as inp
	{"PROTECTION.INSUFFICIENT", "RESIDENCY.VIOLATION", "HEALTH.RECIPIENT_NOT_CERTIFIED"} == {r | some r in d.reasons}
	explains(d)
	every secret in ["FR", "iso-27799", "pharma-x", "'none'"] {
		not contains(messages(d), secret)
		not contains(params_text(d), secret)
	}
}

test_invisible_dataset_does_not_show_whom_it_is_shared_with if {
	inp := changed(request_input, {"contract": {"visibility": "invited", "invited": ["org-secret-partner"]}})
	d := data.renkei.decision with input as inp
	d.reasons == ["CONTRACT.NOT_VISIBLE"]
	not contains(messages(d), "org-secret-partner")
	not contains(params_text(d), "org-secret-partner")
}

test_lineage_denial_counts_hidden_inputs_without_naming_them if {
	inp := changed(request_input, {"contract": {"lineage": ["secret.input", "euv.supply"]}, "consumerInputs": {"euv.supply": true}})
	d := data.renkei.decision with input as inp
	d.reasons == ["LINEAGE.INPUT_NOT_VISIBLE"]
	d.explanations[0].params.hiddenInputs == 1
	not contains(messages(d), "secret.input")
	not contains(params_text(d), "secret.input")
}

test_delivery_explanations_never_name_records_or_persons if {
	inp := changed(use_input("deliver"), {
		"subjects": {"evt-about-patient-7": "deny"},
		"subject": {"protection": "none"},
		"delivery": {"publishedFrom": now - 5000},
	})
	d := data.renkei.decision with input as inp
	explains(d)
	not contains(messages(d), "evt-about-patient-7")
	not contains(params_text(d), "evt-about-patient-7")
}

# --- fallbacks -------------------------------------------------------------------

test_a_code_without_an_explanation_of_its_own_gets_a_generic_one if {
	data.renkei.explanation("SOMETHING.NEW") == {"code": "SOMETHING.NEW", "message": "denied by policy rule SOMETHING.NEW", "params": {}}
}

test_a_contract_without_purposes_is_said_to_have_none if {
	every purposes in [[], null, "logistics", [1]] {
		d := data.renkei.decision with input as changed(request_input, {"purpose": "marketing", "contract": {"purposes": purposes}})
		d.explanations[0].message == "purpose 'marketing' is not among the contract's purposes (none)"
	}
}
