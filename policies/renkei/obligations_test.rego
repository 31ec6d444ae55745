package renkei_test

# Obligations returned with allowed token.issue / subscribe / deliver decisions.
# Fixture contract fields: order_id (cooperative), quantity (untagged),
# unit_price (competitive), buyer_name (personal), buyer_health (sensitive-personal).
# The fixture consumer (logistics) is in a different industry from the
# originator (automotive).

same_industry := {"subject": {"industry": "automotive"}}

test_all_fields_grant_from_other_industry_only_pseudonymises_personal if {
	d := data.renkei.decision with input as changed(use_input("deliver"), {})
	allowed(d)
	d.obligations == use_obligations([], ["buyer_health", "buyer_name"])
}

test_obligations_same_for_every_use_action if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as use_input(action)
		d.obligations == use_obligations([], ["buyer_health", "buyer_name"])
	}
}

test_fields_outside_grant_are_dropped if {
	d := data.renkei.decision with input as changed(use_input("deliver"), {"grant": {"fields": ["order_id", "buyer_name"]}})
	allowed(d)
	d.obligations == use_obligations(["buyer_health", "quantity", "unit_price"], ["buyer_name"])
}

test_empty_field_list_drops_every_field if {
	d := data.renkei.decision with input as changed(use_input("deliver"), {"grant": {"fields": []}})
	allowed(d)
	d.obligations == use_obligations(["buyer_health", "buyer_name", "order_id", "quantity", "unit_price"], [])
}

test_unknown_granted_field_names_are_ignored if {
	d := data.renkei.decision with input as changed(use_input("deliver"), {"grant": {"fields": ["order_id", "quantity", "unit_price", "buyer_name", "buyer_health", "ghost"]}})
	allowed(d)
	d.obligations == use_obligations([], ["buyer_health", "buyer_name"])
}

test_competitive_fields_dropped_for_same_industry_consumer if {
	d := data.renkei.decision with input as changed(use_input("deliver"), same_industry)
	allowed(d)
	d.obligations == use_obligations(["unit_price"], ["buyer_health", "buyer_name"])
}

test_competitive_fields_dropped_even_when_explicitly_granted_to_competitor if {
	d := data.renkei.decision with input as changed(use_input("deliver"), object.union(same_industry, {"grant": {"fields": ["order_id", "unit_price"]}}))
	allowed(d)
	d.obligations == use_obligations(["buyer_health", "buyer_name", "quantity", "unit_price"], [])
}

test_competitive_fields_dropped_when_originator_unknown if {
	d := data.renkei.decision with input as changed(use_input("deliver"), {"originator": null})
	allowed(d)
	d.obligations == use_obligations(["unit_price"], ["buyer_health", "buyer_name"])
}

test_competitive_fields_dropped_when_originator_record_is_not_grant_originator if {
	d := data.renkei.decision with input as changed(use_input("deliver"), {"originator": {"id": "org-x", "industry": "retail"}})
	allowed(d)
	d.obligations == use_obligations(["unit_price"], ["buyer_health", "buyer_name"])
}

test_competitive_fields_dropped_when_subject_industry_missing if {
	d := data.renkei.decision with input as changed(use_input("deliver"), {"subject": {"industry": null}})
	allowed(d)
	d.obligations == use_obligations(["unit_price"], ["buyer_health", "buyer_name"])
}

test_dropped_personal_fields_are_not_pseudonymised if {
	d := data.renkei.decision with input as changed(use_input("deliver"), {"grant": {"fields": ["order_id", "buyer_health"]}})
	allowed(d)
	d.obligations == use_obligations(["buyer_name", "quantity", "unit_price"], ["buyer_health"])
}

test_field_tagged_competitive_and_personal_is_dropped_for_competitor if {
	inp := changed(use_input("deliver"), object.union(same_industry, {"contract": {"fields": {"buyer_name": {"tags": ["personal", "competitive"]}}}}))
	d := data.renkei.decision with input as inp
	allowed(d)
	d.obligations == use_obligations(["buyer_name", "unit_price"], ["buyer_health"])
}

test_contract_without_fields_has_no_field_obligations if {
	inp := changed(use_input("deliver"), {"contract": {"fields": null}})
	d := data.renkei.decision with input as inp
	allowed(d)
	d.obligations == use_obligations([], [])
}

test_denied_deliver_has_empty_obligations if {
	d := data.renkei.decision with input as changed(use_input("deliver"), object.union(same_industry, {"grant": {"state": "suspended", "fields": ["order_id"]}}))
	denied_with(d, ["GRANT.NOT_ACTIVE"])
}

test_field_pinned_to_a_country_is_dropped_for_consumers_elsewhere if {
	pinned := {"contract": {"fields": {"quantity": {"tags": [], "residency": "JP"}}}, "subject": {"country": "DE"}}
	d := data.renkei.decision with input as changed(use_input("deliver"), pinned)
	allowed(d)
	"quantity" in d.obligations.drop
}

test_field_pinned_to_a_country_is_delivered_there if {
	pinned := {"contract": {"fields": {"quantity": {"tags": [], "residency": "JP"}}}}
	d := data.renkei.decision with input as changed(use_input("deliver"), pinned)
	allowed(d)
	not "quantity" in d.obligations.drop
}
