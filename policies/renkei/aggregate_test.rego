package renkei_test

# aggregate.release: an active member may release an aggregate of a dataset for
# a purpose its contract offers when the aggregate rests on at least
# max(requested k, contract minimum k) distinct contributors. The minimum is 5
# for health data or a contract with personal / sensitive-personal fields, 3
# otherwise. The fixture contract has personal fields (minimum 5).

impersonal_fields := {"order_id": {"tags": ["cooperative"]}, "quantity": {"tags": []}, "unit_price": {"tags": ["competitive"]}}

impersonal_aggregate := with_fields(aggregate_input, impersonal_fields)

aggregate_of(base, contributors, k) := changed(base, {"aggregate": {"contributors": contributors, "k": k}})

aggregate_obligations(min_k) := object.union(no_obligations, {"minK": min_k})

test_aggregate_allowed_at_the_minimum_k if {
	d := data.renkei.decision with input as aggregate_input
	allowed(d)
	d.obligations == aggregate_obligations(5)
}

test_aggregate_below_the_minimum_k_is_denied if {
	every n in [0, 1, 4, 4.5] {
		d := data.renkei.decision with input as aggregate_of(aggregate_input, n, null)
		denied_with(d, ["AGGREGATE.BELOW_K"])
	}
}

test_requested_k_above_the_minimum_applies if {
	below := data.renkei.decision with input as aggregate_of(aggregate_input, 7, 8)
	denied_with(below, ["AGGREGATE.BELOW_K"])
	at := data.renkei.decision with input as aggregate_of(aggregate_input, 8, 8)
	allowed(at)
	at.obligations == aggregate_obligations(5)
}

test_requested_k_below_the_minimum_does_not_lower_it if {
	every k in [0, 2, 4] {
		d := data.renkei.decision with input as aggregate_of(aggregate_input, 4, k)
		denied_with(d, ["AGGREGATE.BELOW_K"])
	}
}

test_minimum_k_is_3_for_impersonal_non_health_data if {
	ok := data.renkei.decision with input as aggregate_of(impersonal_aggregate, 3, null)
	allowed(ok)
	ok.obligations == aggregate_obligations(3)
	below := data.renkei.decision with input as aggregate_of(impersonal_aggregate, 2, null)
	denied_with(below, ["AGGREGATE.BELOW_K"])
}

test_minimum_k_is_5_for_each_personal_tag if {
	every tag in ["personal", "sensitive-personal"] {
		inp := with_fields(aggregate_input, object.union(impersonal_fields, {"x": {"tags": ["cooperative", tag]}}))
		d := data.renkei.decision with input as aggregate_of(inp, 4, null)
		denied_with(d, ["AGGREGATE.BELOW_K"])
	}
}

test_minimum_k_is_5_for_health_data_without_personal_fields if {
	inp := changed(impersonal_aggregate, {"contract": health_contract})
	below := data.renkei.decision with input as aggregate_of(inp, 4, null)
	denied_with(below, ["AGGREGATE.BELOW_K"])
	ok := data.renkei.decision with input as aggregate_of(inp, 5, null)
	allowed(ok)
	ok.obligations == aggregate_obligations(5)
}

test_minimum_k_is_5_when_domain_or_fields_are_unknown if {
	inputs := [
		json.remove(impersonal_aggregate, ["contract/domain"]),
		changed(impersonal_aggregate, {"contract": {"domain": null}}),
		changed(impersonal_aggregate, {"contract": {"fields": null}}),
		changed(impersonal_aggregate, {"contract": {"fields": [{"tags": []}]}}),
		changed(impersonal_aggregate, {"contract": {"fields": {"quantity": {"tags": null}}}}),
		json.remove(impersonal_aggregate, ["contract/fields/quantity/tags"]),
	]
	every inp in inputs {
		d := data.renkei.decision with input as aggregate_of(inp, 4, null)
		denied_with(d, ["AGGREGATE.BELOW_K"])
	}
}

test_aggregate_denied_for_missing_or_mistyped_counts if {
	inputs := [
		changed(aggregate_input, {"aggregate": null}),
		json.remove(aggregate_input, ["aggregate"]),
		json.remove(aggregate_input, ["aggregate/contributors"]),
		json.remove(aggregate_input, ["aggregate/k"]),
		aggregate_of(aggregate_input, "50", null),
		aggregate_of(aggregate_input, null, null),
		aggregate_of(aggregate_input, 50, "5"),
		aggregate_of(aggregate_input, 50, [5]),
	]
	every inp in inputs {
		d := data.renkei.decision with input as inp
		denied_with(d, ["AGGREGATE.BELOW_K"])
	}
}

test_aggregate_denied_without_member_role if {
	d := data.renkei.decision with input as changed(aggregate_input, {"subject": {"roles": ["compliance"]}})
	denied_with(d, ["ROLE.MISSING"])
}

test_aggregate_denied_for_inactive_subject if {
	d := data.renkei.decision with input as changed(aggregate_input, {"subject": {"status": "suspended"}})
	denied_with(d, ["SUBJECT.NOT_ACTIVE"])
}

test_aggregate_denied_without_contract if {
	d := data.renkei.decision with input as changed(aggregate_input, {"contract": null})
	denied_with(d, ["CONTRACT.MISSING"])
}

test_aggregate_denied_for_purpose_not_offered if {
	every purpose in ["marketing", null, 3] {
		d := data.renkei.decision with input as changed(aggregate_input, {"purpose": purpose})
		denied_with(d, ["PURPOSE.NOT_ALLOWED"])
	}
}

test_aggregate_release_needs_no_grant_protection_or_certification if {
	inp := changed(aggregate_input, {"contract": health_contract, "subject": {"protection": "none", "certifications": []}})
	d := data.renkei.decision with input as inp
	allowed(d)
}

test_denied_aggregate_has_empty_obligations if {
	d := data.renkei.decision with input as aggregate_of(aggregate_input, 2, null)
	d.obligations == no_obligations
}
