package renkei_test

# Person consents are answered per record (FHIR R5 provisions may be scoped by
# record type, label or time), so the delivery input is keyed by record (event
# id), not by person: two records of one person can be answered differently.

test_records_of_one_person_are_answered_each_on_its_own if {
	# ev-1 and ev-2 are one patient's admission and lab result; they said
	# "permit, except lab results".
	d := data.renkei.decision with input as health_delivery_of({"ev-1": "permit", "ev-2": "deny"})
	allowed(d)
	d.obligations.withhold == ["ev-2"]
	d.obligations.identify == ["ev-1"]
}

test_a_record_not_answered_is_not_identified if {
	# A record the exchange gave no answer for is pseudonymised (never identified).
	d := data.renkei.decision with input as health_delivery_of({"ev-1": "none"})
	allowed(d)
	d.obligations.identify == []
	d.obligations.pseudonymise == ["buyer_health", "buyer_name"]
}
