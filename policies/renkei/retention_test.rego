package renkei_test

# Obligations every allowed grant use carries besides the field handling: the
# contract's minimum k and the deadline by which the consumer must delete what
# it received (grant end + deletionDays; null while the grant is open-ended).

grant_end := now + 1000

test_use_obligations_carry_minimum_k_and_delete_by if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as use_input(action)
		allowed(d)
		d.obligations.minK == 5
		d.obligations.deleteBy == grant_end + (30 * day_ms)
	}
}

test_delete_by_follows_the_deletion_period if {
	every days in [0, 1, 365, 3650] {
		d := data.renkei.decision with input as changed(use_input("deliver"), {"grant": {"deletionDays": days}})
		allowed(d)
		d.obligations.deleteBy == grant_end + (days * day_ms)
	}
}

test_delete_by_is_null_for_an_open_ended_grant if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"grant": {"validUntil": null}})
		allowed(d)
		d.obligations.deleteBy == null
	}
}

test_missing_or_invalid_deletion_period_means_delete_at_grant_end if {
	every days in [null, -1, 1.5, "30", [30]] {
		d := data.renkei.decision with input as changed(use_input("deliver"), {"grant": {"deletionDays": days}})
		allowed(d)
		d.obligations.deleteBy == grant_end
	}
	missing := data.renkei.decision with input as json.remove(use_input("deliver"), ["grant/deletionDays"])
	missing.obligations.deleteBy == grant_end
}

test_minimum_k_is_3_for_impersonal_non_health_use if {
	d := data.renkei.decision with input as with_fields(use_input("deliver"), {"order_id": {"tags": ["cooperative"]}})
	allowed(d)
	d.obligations == object.union(use_obligations([], []), {"minK": 3})
}

test_minimum_k_is_5_for_health_use if {
	d := data.renkei.decision with input as with_fields(changed(use_input("deliver"), {"contract": health_contract, "subject": certified}), {"order_id": {"tags": []}})
	allowed(d)
	d.obligations.minK == 5
}

test_onward_transfer_does_not_change_the_decision if {
	every flag in [true, false] {
		d := data.renkei.decision with input as changed(use_input("deliver"), {"grant": {"onwardTransfer": flag}})
		allowed(d)
	}
}

test_non_data_actions_carry_no_minimum_k_or_deadline if {
	every inp in [register_input, publish_input, request_input, approve_input, audit_input(["compliance"])] {
		d := data.renkei.decision with input as inp
		allowed(d)
		d.obligations == no_obligations
	}
}
