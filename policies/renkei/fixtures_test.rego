# METADATA
# title: Shared fixtures for the Renkei policy tests
# description: Baseline inputs that are allowed; each test changes one thing.
package renkei_test

now := 1750000000000

no_obligations := {
	"drop": [],
	"pseudonymise": [],
	"withhold": [],
	"identify": [],
	"minK": null,
	"deleteBy": null,
}

day_ms := 86400000

# Obligations of an allowed grant use of the fixture contract (it has personal
# fields, so k is at least 5) under the fixture grant (30 deletion days).
use_obligations(drop, pseudonymise) := {
	"drop": drop,
	"pseudonymise": pseudonymise,
	"withhold": [],
	"identify": [],
	"minK": 5,
	"deleteBy": (now + 1000) + (30 * day_ms),
}

# Deep-merges a change into a baseline input.
changed(base, change) := object.union(base, change)

owner_subject := {
	"id": "org-a",
	"industry": "automotive",
	"country": "JP",
	"roles": ["member"],
	"status": "active",
	"certifications": [],
	"protection": "access-control",
}

consumer_subject := {
	"id": "org-b",
	"industry": "logistics",
	"country": "JP",
	"roles": ["member"],
	"status": "active",
	"certifications": [],
	"protection": "access-control",
}

originator := {
	"id": "org-a",
	"industry": "automotive",
	"country": "JP",
	"certifications": [],
	"protection": "access-control",
}

consumer_party := {
	"id": "org-b",
	"industry": "logistics",
	"country": "JP",
	"certifications": [],
	"protection": "access-control",
}

contract := {
	"dataset": "ds.orders",
	"owner": "org-a",
	"version": "1.2.0",
	"status": "active",
	"purposes": ["demand-forecast", "logistics"],
	"domain": "supply-chain",
	"sensitivity": "confidential",
	"minimumProtection": "access-control",
	"residency": null,
	"visibility": "consortium",
	"invited": [],
	"fields": {
		"order_id": {"tags": ["cooperative"]},
		"quantity": {"tags": []},
		"unit_price": {"tags": ["competitive"]},
		"buyer_name": {"tags": ["personal"]},
		"buyer_health": {"tags": ["sensitive-personal"]},
	},
}

active_grant := {
	"id": "g-1",
	"state": "granted",
	"consumer": "org-b",
	"originator": "org-a",
	"dataset": "ds.orders",
	"purpose": "logistics",
	"fields": null,
	"validFrom": now - 1000,
	"validUntil": now + 1000,
	"deletionDays": 30,
	"onwardTransfer": false,
	"historyFrom": now - 1000,
}

register_input := {
	"action": "contract.register",
	"now": now,
	"subject": owner_subject,
	"contract": object.union(contract, {"status": "draft"}),
	"originator": null,
	"consumer": null,
	"grant": null,
	"purpose": null,
	"subjects": null,
	"aggregate": null,
}

publish_input := object.union(register_input, {
	"action": "publish",
	"contract": contract,
})

request_input := {
	"action": "grant.request",
	"now": now,
	"subject": consumer_subject,
	"contract": contract,
	"originator": originator,
	"consumer": null,
	"grant": null,
	"purpose": "logistics",
	"subjects": null,
	"aggregate": null,
}

approve_input := {
	"action": "grant.approve",
	"now": now,
	"subject": owner_subject,
	"contract": contract,
	"originator": originator,
	"consumer": consumer_party,
	"grant": object.union(active_grant, {"state": "requested"}),
	"purpose": null,
	"subjects": null,
	"aggregate": null,
}

# Baseline for token.issue / subscribe / deliver. A delivery batch states the
# consent of every person its records name (none here).
use_input(action) := {
	"action": action,
	"now": now,
	"subject": consumer_subject,
	"contract": contract,
	"originator": originator,
	"consumer": null,
	"grant": active_grant,
	"purpose": "logistics",
	"subjects": object.get({"deliver": {}}, action, null),
	"aggregate": null,
	"delivery": {"publishedFrom": now - 500},
}

grant_use_actions := ["token.issue", "subscribe", "deliver"]

# Baseline for aggregate.release: 5 contributors meet the fixture contract's minimum k.
aggregate_input := {
	"action": "aggregate.release",
	"now": now,
	"subject": consumer_subject,
	"contract": contract,
	"originator": originator,
	"consumer": null,
	"grant": null,
	"purpose": "demand-forecast",
	"subjects": null,
	"aggregate": {"contributors": 5, "k": null},
}

# Replaces (rather than merges) the contract's fields.
with_fields(base, fields) := object.union(json.remove(base, ["contract/fields"]), {"contract": {"fields": fields}})

# A health contract with personal fields, and a recipient certified to receive it.
health_contract := {"domain": "health"}

certified := {"certifications": ["iso27001", "health-data-handler"]}

audit_input(roles) := {
	"action": "audit.read",
	"now": now,
	"subject": object.union(owner_subject, {"roles": roles}),
	"contract": null,
	"originator": null,
	"consumer": null,
	"grant": null,
	"purpose": null,
	"subjects": null,
	"aggregate": null,
}

# Asserts a denial with exactly the given reason codes and empty obligations.
denied_with(d, codes) if {
	d.allow == false
	d.reasons == codes
	d.obligations == no_obligations
}

allowed(d) if {
	d.allow == true
	d.reasons == []
}
