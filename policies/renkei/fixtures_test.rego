# METADATA
# title: Shared fixtures for the Renkei policy tests
# description: Baseline inputs that are allowed; each test changes one thing.
package renkei_test

now := 1750000000000

no_obligations := {"drop": [], "pseudonymise": []}

# Deep-merges a change into a baseline input.
changed(base, change) := object.union(base, change)

owner_subject := {
	"id": "org-a",
	"industry": "automotive",
	"country": "JP",
	"roles": ["member"],
	"status": "active",
}

consumer_subject := {
	"id": "org-b",
	"industry": "logistics",
	"country": "JP",
	"roles": ["member"],
	"status": "active",
}

originator := {"id": "org-a", "industry": "automotive", "country": "JP"}

consumer_party := {"id": "org-b", "industry": "logistics", "country": "JP"}

contract := {
	"dataset": "ds.orders",
	"owner": "org-a",
	"version": "1.2.0",
	"status": "active",
	"purposes": ["demand-forecast", "logistics"],
	"sensitivity": "confidential",
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
}

# Baseline for token.issue / subscribe / deliver.
use_input(action) := {
	"action": action,
	"now": now,
	"subject": consumer_subject,
	"contract": contract,
	"originator": originator,
	"consumer": null,
	"grant": active_grant,
	"purpose": "logistics",
}

grant_use_actions := ["token.issue", "subscribe", "deliver"]

audit_input(roles) := {
	"action": "audit.read",
	"now": now,
	"subject": object.union(owner_subject, {"roles": roles}),
	"contract": null,
	"originator": null,
	"consumer": null,
	"grant": null,
	"purpose": null,
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
