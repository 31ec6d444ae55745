package renkei_test

# Health data: only certified recipients (HEALTH.RECIPIENT_NOT_CERTIFIED), and
# per-person consent on delivery: opted-out people's records are withheld,
# people who permitted identified use are delivered identified, everyone else
# pseudonymised.

health_receiver_inputs := [
	request_input,
	use_input("token.issue"),
	use_input("subscribe"),
	use_input("deliver"),
]

# --- certification ------------------------------------------------------------

test_health_data_denied_to_uncertified_recipient if {
	every inp in health_receiver_inputs {
		d := data.renkei.decision with input as changed(inp, {"contract": health_contract})
		denied_with(d, ["HEALTH.RECIPIENT_NOT_CERTIFIED"])
	}
}

test_health_data_allowed_to_certified_recipient if {
	every inp in health_receiver_inputs {
		d := data.renkei.decision with input as changed(inp, {"contract": health_contract, "subject": certified})
		allowed(d)
	}
}

test_other_certifications_do_not_qualify_for_health_data if {
	every inp in health_receiver_inputs {
		d := data.renkei.decision with input as changed(inp, {"contract": health_contract, "subject": {"certifications": ["iso27001", "isms-jisq27001"]}})
		denied_with(d, ["HEALTH.RECIPIENT_NOT_CERTIFIED"])
	}
}

test_missing_or_mistyped_certifications_deny_health_data if {
	every inp in health_receiver_inputs {
		missing := data.renkei.decision with input as json.remove(changed(inp, {"contract": health_contract}), ["subject/certifications"])
		denied_with(missing, ["HEALTH.RECIPIENT_NOT_CERTIFIED"])
		every certs in [null, "health-data-handler", {"health-data-handler": true}] {
			d := data.renkei.decision with input as changed(inp, {"contract": health_contract, "subject": {"certifications": certs}})
			denied_with(d, ["HEALTH.RECIPIENT_NOT_CERTIFIED"])
		}
	}
}

test_non_health_data_needs_no_certification if {
	every domain in ["supply-chain", "logistics", "energy", "other"] {
		every inp in health_receiver_inputs {
			d := data.renkei.decision with input as changed(inp, {"contract": {"domain": domain}})
			allowed(d)
		}
	}
}

test_missing_or_mistyped_domain_counts_as_health if {
	every inp in health_receiver_inputs {
		missing := data.renkei.decision with input as json.remove(inp, ["contract/domain"])
		denied_with(missing, ["HEALTH.RECIPIENT_NOT_CERTIFIED"])
		every domain in [null, 7, ["supply-chain"]] {
			d := data.renkei.decision with input as changed(inp, {"contract": {"domain": domain}})
			denied_with(d, ["HEALTH.RECIPIENT_NOT_CERTIFIED"])
			ok := data.renkei.decision with input as changed(inp, {"contract": {"domain": domain}, "subject": certified})
			allowed(ok)
		}
	}
}

test_approve_of_health_grant_checks_the_consumer_not_the_approver if {
	uncertified := data.renkei.decision with input as changed(approve_input, {"contract": health_contract, "subject": certified})
	denied_with(uncertified, ["HEALTH.RECIPIENT_NOT_CERTIFIED"])
	ok := data.renkei.decision with input as changed(approve_input, {"contract": health_contract, "consumer": certified})
	allowed(ok)
}

test_approve_of_health_grant_denied_without_consumer_record if {
	d := data.renkei.decision with input as changed(approve_input, {"contract": health_contract, "consumer": null})
	denied_with(d, ["GRANT.WRONG_CONSUMER", "HEALTH.RECIPIENT_NOT_CERTIFIED", "PROTECTION.INSUFFICIENT"])
}

test_owner_may_publish_own_health_data_uncertified if {
	d := data.renkei.decision with input as changed(publish_input, {"contract": health_contract})
	allowed(d)
}

# --- person consent on delivery -----------------------------------------------

consents := {"subjects": {"p-permit": "permit", "p-deny": "deny", "p-none": "none"}}

# A delivery of health data to a certified consumer, with the given consent statuses.
health_delivery_of(subjects) := changed(use_input("deliver"), {"contract": health_contract, "subject": certified, "subjects": subjects})

health_delivery := health_delivery_of(consents.subjects)

test_health_delivery_withholds_opt_outs_and_identifies_permits if {
	d := data.renkei.decision with input as health_delivery
	allowed(d)
	d.obligations == object.union(use_obligations([], ["buyer_health", "buyer_name"]), {
		"withhold": ["p-deny"],
		"identify": ["p-permit"],
	})
}

test_non_health_delivery_withholds_opt_outs_but_identifies_nobody if {
	d := data.renkei.decision with input as changed(use_input("deliver"), consents)
	allowed(d)
	d.obligations == object.union(use_obligations([], ["buyer_health", "buyer_name"]), {"withhold": ["p-deny"]})
}

test_delivery_with_unknown_domain_identifies_nobody if {
	d := data.renkei.decision with input as json.remove(health_delivery, ["contract/domain"])
	allowed(d)
	d.obligations.withhold == ["p-deny"]
	d.obligations.identify == []
}

test_unknown_consent_status_is_withheld if {
	inp := health_delivery_of({"p-1": "maybe", "p-2": null, "p-3": ["permit"], "p-4": "PERMIT", "p-5": "permit"})
	d := data.renkei.decision with input as inp
	allowed(d)
	d.obligations.withhold == ["p-1", "p-2", "p-3", "p-4"]
	d.obligations.identify == ["p-5"]
}

test_everyone_pseudonymised_when_nobody_consented if {
	d := data.renkei.decision with input as health_delivery_of({"p-1": "none", "p-2": "none"})
	allowed(d)
	d.obligations == use_obligations([], ["buyer_health", "buyer_name"])
}

test_withheld_and_identified_even_for_fields_dropped_by_the_grant if {
	d := data.renkei.decision with input as changed(health_delivery, {"grant": {"fields": ["order_id"]}})
	allowed(d)
	d.obligations.drop == ["buyer_health", "buyer_name", "quantity", "unit_price"]
	d.obligations.pseudonymise == []
	d.obligations.withhold == ["p-deny"]
	d.obligations.identify == ["p-permit"]
}

test_delivery_denied_without_consent_statuses if {
	missing := data.renkei.decision with input as json.remove(use_input("deliver"), ["subjects"])
	denied_with(missing, ["CONSENT.MISSING"])
	every subjects in [null, [], ["p-1"], "p-1"] {
		d := data.renkei.decision with input as changed(use_input("deliver"), {"subjects": subjects})
		denied_with(d, ["CONSENT.MISSING"])
	}
}

test_token_and_subscribe_need_no_consent_statuses if {
	every action in ["token.issue", "subscribe"] {
		d := data.renkei.decision with input as changed(use_input(action), {"subjects": null})
		allowed(d)
	}
}

test_consents_only_shape_delivery_obligations if {
	every action in ["token.issue", "subscribe"] {
		d := data.renkei.decision with input as changed(use_input(action), object.union(consents, {"contract": health_contract, "subject": certified}))
		allowed(d)
		d.obligations.withhold == []
		d.obligations.identify == []
	}
}

test_denied_health_delivery_withholds_nothing_and_identifies_nobody if {
	d := data.renkei.decision with input as changed(health_delivery, {"subject": {"certifications": []}})
	denied_with(d, ["HEALTH.RECIPIENT_NOT_CERTIFIED"])
}

test_empty_consent_statuses_withhold_nothing if {
	d := data.renkei.decision with input as health_delivery_of({})
	allowed(d)
	d.obligations == use_obligations([], ["buyer_health", "buyer_name"])
}
