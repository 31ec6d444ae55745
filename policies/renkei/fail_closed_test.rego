package renkei_test

# Missing (rather than null or mistyped) input keys fail closed too.

test_request_denied_when_purpose_key_missing if {
	d := data.renkei.decision with input as json.remove(request_input, ["purpose"])
	denied_with(d, ["PURPOSE.NOT_ALLOWED"])
}

test_approve_denied_when_granted_purpose_key_missing if {
	d := data.renkei.decision with input as json.remove(approve_input, ["grant/purpose"])
	denied_with(d, ["PURPOSE.NOT_ALLOWED"])
}

test_aggregate_denied_when_purpose_key_missing if {
	d := data.renkei.decision with input as json.remove(aggregate_input, ["purpose"])
	denied_with(d, ["PURPOSE.NOT_ALLOWED"])
}

test_approve_denied_when_consumer_key_missing if {
	inp := json.remove(changed(approve_input, {"contract": {"residency": "JP"}}), ["consumer"])
	d := data.renkei.decision with input as inp
	denied_with(d, ["GRANT.WRONG_CONSUMER", "PROTECTION.INSUFFICIENT", "RESIDENCY.VIOLATION"])
}

test_use_denied_when_subject_country_missing_under_residency if {
	every action in grant_use_actions {
		inp := json.remove(changed(use_input(action), {"contract": {"residency": "JP"}}), ["subject/country"])
		d := data.renkei.decision with input as inp
		denied_with(d, ["RESIDENCY.VIOLATION"])
	}
}

test_request_denied_when_subject_country_missing_under_residency if {
	inp := json.remove(changed(request_input, {"contract": {"residency": "JP"}}), ["subject/country"])
	d := data.renkei.decision with input as inp
	denied_with(d, ["RESIDENCY.VIOLATION"])
}

test_field_pinned_to_a_country_is_dropped_when_subject_country_missing if {
	pinned := {"contract": {"fields": {"quantity": {"tags": [], "residency": "JP"}}}}
	d := data.renkei.decision with input as json.remove(changed(use_input("deliver"), pinned), ["subject/country"])
	allowed(d)
	"quantity" in d.obligations.drop
}
