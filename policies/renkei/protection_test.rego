package renkei_test

# Sensitivity minimums: the receiving participant's attested protection must be
# at least the contract's minimumProtection (none < access-control <
# field-encryption). The receiver is the subject for grant.request, token.issue,
# subscribe and deliver, and the grant's consumer for grant.approve.

# Inputs whose subject is the receiver.
subject_receiver_inputs := [
	request_input,
	use_input("token.issue"),
	use_input("subscribe"),
	use_input("deliver"),
]

levels := ["none", "access-control", "field-encryption"]

# (Not inlined: `opa fmt` drops the parentheses in `a == (b >= c)`.)
protection_meets(have, need) := have >= need

test_receiver_at_exactly_the_minimum_is_allowed if {
	every inp in array.concat(subject_receiver_inputs, [approve_input]) {
		d := data.renkei.decision with input as inp
		allowed(d)
	}
}

test_subject_below_the_minimum_is_denied if {
	every inp in subject_receiver_inputs {
		d := data.renkei.decision with input as changed(inp, {"subject": {"protection": "none"}})
		denied_with(d, ["PROTECTION.INSUFFICIENT"])
	}
}

test_every_level_pair_is_ranked if {
	every have_rank, have in levels {
		every need_rank, need in levels {
			inp := changed(use_input("deliver"), {"subject": {"protection": have}, "contract": {"minimumProtection": need}})
			d := data.renkei.decision with input as inp
			d.allow == protection_meets(have_rank, need_rank)
		}
	}
}

test_restricted_contract_needs_field_encryption if {
	restricted := {"contract": {"sensitivity": "restricted", "minimumProtection": "field-encryption"}}
	every inp in subject_receiver_inputs {
		denied := data.renkei.decision with input as changed(inp, restricted)
		denied_with(denied, ["PROTECTION.INSUFFICIENT"])
		ok := data.renkei.decision with input as changed(inp, object.union(restricted, {"subject": {"protection": "field-encryption"}}))
		allowed(ok)
	}
}

test_public_contract_needs_no_protection if {
	public := {"contract": {"sensitivity": "public", "minimumProtection": "none"}, "subject": {"protection": "none"}}
	every inp in subject_receiver_inputs {
		d := data.renkei.decision with input as changed(inp, public)
		allowed(d)
	}
}

test_approve_checks_the_consumer_not_the_approver if {
	weak_consumer := data.renkei.decision with input as changed(approve_input, {"consumer": {"protection": "none"}})
	denied_with(weak_consumer, ["PROTECTION.INSUFFICIENT"])
	weak_approver := data.renkei.decision with input as changed(approve_input, {"subject": {"protection": "none"}})
	allowed(weak_approver)
}

test_approve_denied_without_consumer_protection if {
	d := data.renkei.decision with input as json.remove(approve_input, ["consumer/protection"])
	denied_with(d, ["PROTECTION.INSUFFICIENT"])
}

test_missing_or_unknown_subject_protection_is_denied if {
	every inp in subject_receiver_inputs {
		missing := data.renkei.decision with input as json.remove(inp, ["subject/protection"])
		denied_with(missing, ["PROTECTION.INSUFFICIENT"])
		every level in ["military", null, 2, ["field-encryption"]] {
			d := data.renkei.decision with input as changed(inp, {"subject": {"protection": level}})
			denied_with(d, ["PROTECTION.INSUFFICIENT"])
		}
	}
}

test_missing_or_unknown_contract_minimum_is_denied if {
	every inp in array.concat(subject_receiver_inputs, [approve_input]) {
		missing := data.renkei.decision with input as json.remove(inp, ["contract/minimumProtection"])
		denied_with(missing, ["PROTECTION.INSUFFICIENT"])
		every level in ["secret", null, 0] {
			d := data.renkei.decision with input as changed(inp, {"contract": {"minimumProtection": level}})
			denied_with(d, ["PROTECTION.INSUFFICIENT"])
		}
	}
}

test_publish_and_register_do_not_check_protection if {
	every inp in [publish_input, register_input] {
		d := data.renkei.decision with input as changed(inp, {"subject": {"protection": "none"}})
		allowed(d)
	}
}
