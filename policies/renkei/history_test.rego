package renkei_test

# The history term of a grant: a delivery of events published before the
# grant's history start is denied with GRANT.HISTORY_NOT_GRANTED; from the
# start on (or with history "all", i.e. 0) it is allowed as before.

history_delivery(history_from, published_from) := changed(
	use_input("deliver"),
	{"grant": {"historyFrom": history_from}, "delivery": {"publishedFrom": published_from}},
)

test_delivery_from_the_history_start_is_allowed if {
	every published in [now - 1000, now - 1, now] {
		d := data.renkei.decision with input as history_delivery(now - 1000, published)
		allowed(d)
	}
}

test_delivery_before_the_history_start_is_withheld if {
	every published in [now - 1001, 0, now - (400 * day_ms)] {
		d := data.renkei.decision with input as history_delivery(now - 1000, published)
		denied_with(d, ["GRANT.HISTORY_NOT_GRANTED"])
	}
}

test_history_all_covers_every_past_event if {
	every published in [0, 1, now - (400 * day_ms), now] {
		d := data.renkei.decision with input as history_delivery(0, published)
		allowed(d)
	}
}

test_missing_or_mistyped_history_fails_closed if {
	inputs := [
		json.remove(use_input("deliver"), ["delivery"]),
		json.remove(use_input("deliver"), ["grant/historyFrom"]),
		history_delivery("all", now),
		history_delivery(null, now),
		history_delivery(now - 1000, "now"),
		history_delivery(now - 1000, null),
	]
	every inp in inputs {
		d := data.renkei.decision with input as inp
		denied_with(d, ["GRANT.HISTORY_NOT_GRANTED"])
	}
}

test_history_only_applies_to_deliveries if {
	# Token issue and subscribe happen before any event is read; the term limits what is delivered.
	every action in ["token.issue", "subscribe"] {
		inp := changed(use_input(action), {"grant": {"historyFrom": now + (10 * day_ms)}})
		d := data.renkei.decision with input as json.remove(inp, ["delivery"])
		allowed(d)
	}
}
