package renkei_test

# Derived datasets: a contract with a lineage is governed by all of its inputs'
# terms. grant.request / token.issue / subscribe / deliver are denied
# (LINEAGE.INPUT_NOT_VISIBLE) unless every input is visible to the subject, or
# the contract is an aggregate over at least the minimum k contributors.

derived_contract := object.union(contract, {
	"lineage": ["euv.supply", "euv.inventory"],
	"derived": {"aggregate": false, "contributors": 6, "originators": originators(6), "verified": true},
})

# n distinct originators, as the registry establishes them from a verified lineage.
originators(n) := [o | some i, o in ten_orgs; i < n]

ten_orgs := ["org-1", "org-2", "org-3", "org-4", "org-5", "org-6", "org-7", "org-8", "org-9", "org-10"]

# An aggregate derivation the registry verified, resting on n distinct originators.
verified_aggregate(n) := {"aggregate": true, "contributors": n, "originators": originators(n), "verified": true}

impersonal_derived := object.union(
	json.remove(derived_contract, ["fields"]),
	{"fields": {"order_id": {"tags": ["cooperative"]}}},
)

both_visible := {"euv.supply": true, "euv.inventory": true}

derived_of(base, c, inputs) := object.union(json.remove(base, ["contract"]), {"contract": c, "consumerInputs": inputs})

lineage_actions_inputs := [request_input, use_input("token.issue"), use_input("subscribe"), use_input("deliver")]

test_derived_dataset_allowed_when_every_input_is_visible if {
	every base in lineage_actions_inputs {
		d := data.renkei.decision with input as derived_of(base, derived_contract, both_visible)
		allowed(d)
	}
}

test_derived_dataset_denied_when_an_input_is_not_visible if {
	missing := [
		{"euv.supply": true},
		{"euv.supply": true, "euv.inventory": false},
		{},
		null,
		{"euv.supply": "yes", "euv.inventory": true},
	]
	every base in lineage_actions_inputs {
		every inputs in missing {
			d := data.renkei.decision with input as derived_of(base, derived_contract, inputs)
			denied_with(d, ["LINEAGE.INPUT_NOT_VISIBLE"])
		}
	}
}

test_derived_dataset_denied_without_consumer_inputs if {
	d := data.renkei.decision with input as changed(request_input, {"contract": derived_contract})
	denied_with(d, ["LINEAGE.INPUT_NOT_VISIBLE"])
}

test_aggregate_above_k_is_exempt if {
	agg := object.union(impersonal_derived, {"derived": verified_aggregate(3)})
	every base in lineage_actions_inputs {
		d := data.renkei.decision with input as derived_of(base, agg, {})
		allowed(d)
	}
}

test_aggregate_below_k_or_not_aggregate_is_not_exempt if {
	cases := [
		verified_aggregate(2),
		{"aggregate": true, "contributors": null, "verified": true},
		{"aggregate": true, "verified": true},
		object.union(verified_aggregate(10), {"aggregate": false}),
		object.union(verified_aggregate(10), {"aggregate": "true"}),
	]
	every derived in cases {
		c := object.union(json.remove(impersonal_derived, ["derived"]), {"derived": derived})
		d := data.renkei.decision with input as derived_of(request_input, c, {})
		denied_with(d, ["LINEAGE.INPUT_NOT_VISIBLE"])
	}
}

test_health_or_personal_aggregates_need_5_contributors if {
	# The fixture contract has personal fields: minimum k 5.
	four := object.union(derived_contract, {"derived": verified_aggregate(4)})
	d4 := data.renkei.decision with input as derived_of(request_input, four, {})
	denied_with(d4, ["LINEAGE.INPUT_NOT_VISIBLE"])
	five := object.union(derived_contract, {"derived": verified_aggregate(5)})
	d5 := data.renkei.decision with input as derived_of(request_input, five, {})
	allowed(d5)
	health := object.union(impersonal_derived, {"domain": "health", "derived": verified_aggregate(4)})
	inp := object.union(derived_of(request_input, health, {}), {"subject": certified})
	dh := data.renkei.decision with input as inp
	denied_with(dh, ["LINEAGE.INPUT_NOT_VISIBLE"])
}

test_malformed_lineage_fails_closed if {
	every lineage in ["euv.supply", {"a": "euv.supply"}, [1], [null], 7] {
		c := object.union(json.remove(derived_contract, ["lineage"]), {"lineage": lineage})
		d := data.renkei.decision with input as derived_of(request_input, c, both_visible)
		denied_with(d, ["LINEAGE.INPUT_NOT_VISIBLE"])
	}
}

test_no_lineage_is_not_derived if {
	every c in [contract, object.union(contract, {"lineage": null}), object.union(contract, {"lineage": []})] {
		d := data.renkei.decision with input as derived_of(request_input, c, null)
		allowed(d)
	}
}

test_lineage_does_not_affect_other_actions if {
	# The owner publishes and registers its derived dataset; approval and aggregate release are unchanged.
	reg := changed(register_input, {"contract": object.union(derived_contract, {"status": "draft"})})
	dr := data.renkei.decision with input as reg
	allowed(dr)
	pub := changed(publish_input, {"contract": derived_contract})
	dp := data.renkei.decision with input as pub
	allowed(dp)
}

# The k gate counts the distinct originators the registry established; a
# declared number is never read, and an unverified derivation is not exempt.

test_declared_contributors_never_pass_the_k_gate if {
	cases := [
		# a member's own count, however large, without verified originators
		{"aggregate": true, "contributors": 50},
		{"aggregate": true, "contributors": 50, "verified": true},
		{"aggregate": true, "contributors": 50, "originators": originators(1), "verified": true},
		# originators listed but not verified by the registry
		{"aggregate": true, "contributors": 5, "originators": originators(5)},
		{"aggregate": true, "contributors": 5, "originators": originators(5), "verified": "true"},
		# repeated ids count once; non-strings do not count
		{"aggregate": true, "contributors": 5, "originators": ["org-1", "org-1", "org-2", "org-2", "org-2"], "verified": true},
		{"aggregate": true, "contributors": 5, "originators": ["org-1", "org-2", 3, null, {"a": 1}], "verified": true},
		{"aggregate": true, "contributors": 5, "originators": {"a": "org-1", "b": "org-2", "c": "org-3"}, "verified": true},
	]
	every derived in cases {
		c := object.union(json.remove(impersonal_derived, ["derived"]), {"derived": derived})
		d := data.renkei.decision with input as derived_of(request_input, c, {})
		denied_with(d, ["LINEAGE.INPUT_NOT_VISIBLE"])
	}
}

test_verified_originators_pass_the_k_gate_whatever_the_declared_count if {
	derived := object.union(verified_aggregate(3), {"contributors": 0})
	c := object.union(json.remove(impersonal_derived, ["derived"]), {"derived": derived})
	d := data.renkei.decision with input as derived_of(request_input, c, {})
	allowed(d)
}
