package renkei_test

# Tests for token.issue, subscribe and deliver: each runs against all three.

test_use_allowed_with_active_grant if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as use_input(action)
		allowed(d)
	}
}

test_deliver_allowed_with_active_grant if {
	d := data.renkei.decision with input as use_input("deliver")
	allowed(d)
}

test_deliver_denied_after_revocation if {
	d := data.renkei.decision with input as changed(use_input("deliver"), {"grant": {"state": "revoked"}})
	denied_with(d, ["GRANT.NOT_ACTIVE"])
}

test_use_denied_unless_grant_is_granted if {
	every state in ["requested", "suspended", "revoked", "expired", "rejected", null] {
		every action in grant_use_actions {
			d := data.renkei.decision with input as changed(use_input(action), {"grant": {"state": state}})
			denied_with(d, ["GRANT.NOT_ACTIVE"])
		}
	}
}

test_use_denied_without_grant if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"grant": null})
		denied_with(d, ["GRANT.MISSING"])
	}
}

test_use_denied_without_contract if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"contract": null})
		denied_with(d, ["CONTRACT.MISSING"])
	}
}

test_use_denied_for_subject_other_than_grant_consumer if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"subject": {"id": "org-c"}})
		denied_with(d, ["GRANT.WRONG_CONSUMER"])
	}
}

test_use_denied_for_originator_using_consumers_grant if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"subject": owner_subject})
		denied_with(d, ["GRANT.WRONG_CONSUMER"])
	}
}

test_use_denied_for_grant_on_other_dataset if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"grant": {"dataset": "ds.other"}})
		denied_with(d, ["GRANT.WRONG_DATASET"])
	}
}

test_use_denied_before_valid_from if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"grant": {"validFrom": now + 1}})
		denied_with(d, ["GRANT.NOT_YET_VALID"])
	}
}

test_use_allowed_exactly_at_valid_from if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"grant": {"validFrom": now}})
		allowed(d)
	}
}

test_use_denied_exactly_at_valid_until if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"grant": {"validUntil": now}})
		denied_with(d, ["GRANT.EXPIRED"])
	}
}

test_use_denied_after_valid_until if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"grant": {"validUntil": now - 1}})
		denied_with(d, ["GRANT.EXPIRED"])
	}
}

test_use_allowed_with_open_ended_grant if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"grant": {"validUntil": null}})
		allowed(d)
	}
}

test_use_denied_when_clock_missing if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"now": null})
		denied_with(d, ["GRANT.EXPIRED", "GRANT.NOT_YET_VALID"])
	}
}

test_use_denied_for_mistyped_validity_bounds if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"grant": {"validFrom": null, "validUntil": "2099-01-01"}})
		denied_with(d, ["GRANT.EXPIRED", "GRANT.NOT_YET_VALID"])
	}
}

test_use_denied_for_purpose_other_than_granted if {
	# "demand-forecast" is offered by the contract but was not granted.
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"purpose": "demand-forecast"})
		denied_with(d, ["PURPOSE.NOT_ALLOWED"])
	}
}

test_use_denied_when_contract_withdrew_granted_purpose if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"contract": {"purposes": ["demand-forecast"]}})
		denied_with(d, ["PURPOSE.NOT_ALLOWED"])
	}
}

test_use_denied_without_purpose if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"purpose": null, "grant": {"purpose": null}})
		denied_with(d, ["PURPOSE.NOT_ALLOWED"])
	}
}

test_use_denied_outside_residency_country if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"contract": {"residency": "JP"}, "subject": {"country": "SG"}})
		denied_with(d, ["RESIDENCY.VIOLATION"])
	}
}

test_use_allowed_inside_residency_country if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"contract": {"residency": "JP"}})
		allowed(d)
	}
}

test_use_allowed_on_deprecated_contract if {
	every action in grant_use_actions {
		d := data.renkei.decision with input as changed(use_input(action), {"contract": {"status": "deprecated"}})
		allowed(d)
	}
}

test_use_denied_on_draft_or_retired_contract if {
	every status in ["draft", "retired"] {
		every action in grant_use_actions {
			d := data.renkei.decision with input as changed(use_input(action), {"contract": {"status": status}})
			denied_with(d, ["CONTRACT.NOT_ACTIVE"])
		}
	}
}
