package renkei_test

# --- decision shape -----------------------------------------------------------

test_empty_input_is_denied_with_full_decision_object if {
	d := data.renkei.decision with input as {}
	denied_with(d, ["ACTION.UNKNOWN", "SUBJECT.NOT_ACTIVE"])
}

test_unknown_action_denied_with_action_unknown if {
	d := data.renkei.decision with input as changed(publish_input, {"action": "contract.delete"})
	denied_with(d, ["ACTION.UNKNOWN"])
}

test_non_string_action_denied_with_action_unknown if {
	d := data.renkei.decision with input as changed(publish_input, {"action": 7})
	denied_with(d, ["ACTION.UNKNOWN"])
}

test_multiple_reasons_are_sorted if {
	d := data.renkei.decision with input as changed(request_input, {"subject": {"status": "pending", "roles": []}, "purpose": "marketing"})
	denied_with(d, ["PURPOSE.NOT_ALLOWED", "ROLE.MISSING", "SUBJECT.NOT_ACTIVE"])
}

test_allowed_non_data_action_has_empty_obligations if {
	d := data.renkei.decision with input as publish_input
	allowed(d)
	d.obligations == no_obligations
}

# --- subject status (every action) ------------------------------------------

test_every_action_denied_for_suspended_subject if {
	inputs := [
		register_input, publish_input, request_input, approve_input,
		use_input("token.issue"), use_input("subscribe"), use_input("deliver"),
		audit_input(["compliance"]),
	]
	every inp in inputs {
		d := data.renkei.decision with input as changed(inp, {"subject": {"status": "suspended"}})
		denied_with(d, ["SUBJECT.NOT_ACTIVE"])
	}
}

# Offboarding is terminal: an offboarded participant is refused everything, like a suspended one.
test_every_action_denied_for_offboarded_subject if {
	inputs := [
		register_input, publish_input, request_input, approve_input,
		use_input("token.issue"), use_input("subscribe"), use_input("deliver"),
		audit_input(["compliance"]),
	]
	every inp in inputs {
		d := data.renkei.decision with input as changed(inp, {"subject": {"status": "offboarded"}})
		denied_with(d, ["SUBJECT.NOT_ACTIVE"])
	}
}

test_pending_subject_denied if {
	d := data.renkei.decision with input as changed(publish_input, {"subject": {"status": "pending"}})
	denied_with(d, ["SUBJECT.NOT_ACTIVE"])
}

test_missing_subject_denied if {
	d := data.renkei.decision with input as json.remove(publish_input, ["subject"])
	denied_with(d, ["SUBJECT.NOT_ACTIVE", "SUBJECT.NOT_OWNER"])
}

# --- contract.register --------------------------------------------------------

test_register_allowed_for_member_owner if {
	d := data.renkei.decision with input as register_input
	allowed(d)
}

test_register_denied_without_member_role if {
	d := data.renkei.decision with input as changed(register_input, {"subject": {"roles": ["compliance"]}})
	denied_with(d, ["ROLE.MISSING"])
}

test_register_denied_when_roles_null if {
	d := data.renkei.decision with input as changed(register_input, {"subject": {"roles": null}})
	denied_with(d, ["ROLE.MISSING"])
}

test_register_denied_for_contract_owned_by_someone_else if {
	d := data.renkei.decision with input as changed(register_input, {"contract": {"owner": "org-z"}})
	denied_with(d, ["SUBJECT.NOT_OWNER"])
}

test_register_denied_when_subject_id_and_owner_both_null if {
	d := data.renkei.decision with input as changed(register_input, {"subject": {"id": null}, "contract": {"owner": null}})
	denied_with(d, ["SUBJECT.NOT_OWNER"])
}

test_register_denied_without_contract if {
	d := data.renkei.decision with input as changed(register_input, {"contract": null})
	denied_with(d, ["CONTRACT.MISSING"])
}

# --- publish ------------------------------------------------------------------

test_publish_allowed_for_owner_of_active_contract if {
	d := data.renkei.decision with input as publish_input
	allowed(d)
}

test_publish_denied_for_draft_or_retired_contract if {
	every status in ["draft", "retired"] {
		d := data.renkei.decision with input as changed(publish_input, {"contract": {"status": status}})
		denied_with(d, ["CONTRACT.NOT_ACTIVE"])
	}
}

test_publish_allowed_under_deprecated_contract if {
	d := data.renkei.decision with input as changed(publish_input, {"contract": {"status": "deprecated"}})
	allowed(d)
}

test_publish_denied_for_non_owner if {
	d := data.renkei.decision with input as changed(publish_input, {"subject": consumer_subject})
	denied_with(d, ["SUBJECT.NOT_OWNER"])
}

test_publish_denied_without_contract if {
	d := data.renkei.decision with input as changed(publish_input, {"contract": null})
	denied_with(d, ["CONTRACT.MISSING"])
}

# --- grant.request ------------------------------------------------------------

test_request_allowed_for_member_with_offered_purpose if {
	d := data.renkei.decision with input as request_input
	allowed(d)
}

test_request_denied_without_member_role if {
	d := data.renkei.decision with input as changed(request_input, {"subject": {"roles": ["admin"]}})
	denied_with(d, ["ROLE.MISSING"])
}

test_request_denied_for_non_active_contract if {
	every status in ["draft", "deprecated", "retired"] {
		d := data.renkei.decision with input as changed(request_input, {"contract": {"status": status}})
		denied_with(d, ["CONTRACT.NOT_ACTIVE"])
	}
}

test_request_denied_for_invited_only_dataset_when_not_invited if {
	d := data.renkei.decision with input as changed(request_input, {"contract": {"visibility": "invited", "invited": ["org-c"]}})
	denied_with(d, ["CONTRACT.NOT_VISIBLE"])
}

test_request_allowed_for_invited_participant if {
	d := data.renkei.decision with input as changed(request_input, {"contract": {"visibility": "invited", "invited": ["org-b"]}})
	allowed(d)
}

test_request_denied_when_visibility_missing if {
	d := data.renkei.decision with input as json.remove(request_input, ["contract/visibility"])
	denied_with(d, ["CONTRACT.NOT_VISIBLE"])
}

test_request_denied_for_purpose_not_offered if {
	d := data.renkei.decision with input as changed(request_input, {"purpose": "marketing"})
	denied_with(d, ["PURPOSE.NOT_ALLOWED"])
}

test_request_denied_for_null_purpose if {
	d := data.renkei.decision with input as changed(request_input, {"purpose": null})
	denied_with(d, ["PURPOSE.NOT_ALLOWED"])
}

test_request_denied_for_own_contract if {
	d := data.renkei.decision with input as changed(request_input, {"subject": owner_subject})
	denied_with(d, ["SUBJECT.IS_OWNER"])
}

test_request_denied_outside_residency_country if {
	d := data.renkei.decision with input as changed(request_input, {"contract": {"residency": "JP"}, "subject": {"country": "US"}})
	denied_with(d, ["RESIDENCY.VIOLATION"])
}

test_request_allowed_inside_residency_country if {
	d := data.renkei.decision with input as changed(request_input, {"contract": {"residency": "JP"}})
	allowed(d)
}

test_request_allowed_from_abroad_without_residency if {
	d := data.renkei.decision with input as changed(request_input, {"subject": {"country": "DE"}})
	allowed(d)
}

test_request_denied_when_residency_key_missing if {
	inp := json.remove(request_input, ["contract/residency"])
	d := data.renkei.decision with input as inp
	denied_with(d, ["RESIDENCY.VIOLATION"])
}

test_request_denied_without_contract if {
	d := data.renkei.decision with input as changed(request_input, {"contract": null})
	denied_with(d, ["CONTRACT.MISSING"])
}

# --- grant.approve ------------------------------------------------------------

test_approve_allowed_for_owner_of_requested_grant if {
	d := data.renkei.decision with input as approve_input
	allowed(d)
}

test_approve_denied_for_non_owner_of_contract if {
	d := data.renkei.decision with input as changed(approve_input, {"contract": {"owner": "org-z"}})
	denied_with(d, ["SUBJECT.NOT_OWNER"])
}

test_approve_denied_when_subject_is_not_grant_originator if {
	d := data.renkei.decision with input as changed(approve_input, {"grant": {"originator": "org-z"}})
	denied_with(d, ["SUBJECT.NOT_OWNER"])
}

test_approve_denied_for_consumer_approving_own_request if {
	d := data.renkei.decision with input as changed(approve_input, {"subject": consumer_subject})
	denied_with(d, ["SUBJECT.NOT_OWNER"])
}

test_approve_denied_unless_grant_is_requested if {
	every state in ["granted", "suspended", "revoked", "expired", "rejected", null] {
		d := data.renkei.decision with input as changed(approve_input, {"grant": {"state": state}})
		denied_with(d, ["GRANT.NOT_REQUESTED"])
	}
}

test_approve_denied_when_consumer_outside_residency_country if {
	d := data.renkei.decision with input as changed(approve_input, {"contract": {"residency": "JP"}, "consumer": {"country": "US"}})
	denied_with(d, ["RESIDENCY.VIOLATION"])
}

test_approve_allowed_when_consumer_inside_residency_country if {
	d := data.renkei.decision with input as changed(approve_input, {"contract": {"residency": "JP"}})
	allowed(d)
}

test_approve_residency_uses_consumer_not_approver if {
	d := data.renkei.decision with input as changed(approve_input, {"contract": {"residency": "JP"}, "subject": {"country": "US"}})
	allowed(d)
}

test_approve_denied_without_consumer_record if {
	d := data.renkei.decision with input as changed(approve_input, {"contract": {"residency": "JP"}, "consumer": null})
	denied_with(d, ["GRANT.WRONG_CONSUMER", "PROTECTION.INSUFFICIENT", "RESIDENCY.VIOLATION"])
}

test_approve_denied_when_consumer_record_is_not_grant_consumer if {
	d := data.renkei.decision with input as changed(approve_input, {"consumer": {"id": "org-c"}})
	denied_with(d, ["GRANT.WRONG_CONSUMER"])
}

test_approve_denied_for_purpose_not_offered if {
	d := data.renkei.decision with input as changed(approve_input, {"grant": {"purpose": "marketing"}})
	denied_with(d, ["PURPOSE.NOT_ALLOWED"])
}

test_approve_denied_for_grant_on_other_dataset if {
	d := data.renkei.decision with input as changed(approve_input, {"grant": {"dataset": "ds.other"}})
	denied_with(d, ["GRANT.WRONG_DATASET"])
}

test_approve_denied_without_grant if {
	d := data.renkei.decision with input as changed(approve_input, {"grant": null})
	denied_with(d, ["GRANT.MISSING"])
}

test_approve_denied_without_contract if {
	d := data.renkei.decision with input as changed(approve_input, {"contract": null})
	denied_with(d, ["CONTRACT.MISSING"])
}

# --- audit.read ---------------------------------------------------------------

test_audit_read_allowed_for_compliance if {
	d := data.renkei.decision with input as audit_input(["member", "compliance"])
	allowed(d)
}

test_audit_read_allowed_for_admin if {
	d := data.renkei.decision with input as audit_input(["admin"])
	allowed(d)
}

test_audit_read_denied_for_plain_member if {
	d := data.renkei.decision with input as audit_input(["member"])
	denied_with(d, ["ROLE.MISSING"])
}

test_audit_read_denied_without_roles if {
	d := data.renkei.decision with input as audit_input(null)
	denied_with(d, ["ROLE.MISSING"])
}

# --- fail-closed fallback -----------------------------------------------------

test_decision_falls_back_to_deny_object_when_evaluation_is_undefined if {
	# A reasons value that cannot be sorted makes the main decision body undefined.
	d := data.renkei.decision with input as publish_input with data.renkei.reasons as 5
	denied_with(d, ["POLICY.UNDEFINED"])
}
