# Grant history term. A grant covers the events published from its history start on: the
# originator decides on approval whether the consumer may read the topic's
# past ("all" is 0), and from when. A delivery decision states the earliest
# publication time of the events it decides; events published before the
# grant's history start are withheld (GRANT.HISTORY_NOT_GRANTED). A missing
# or mistyped history start or publication time fails closed.
package renkei

# METADATA
# title: History not granted
# description: Events published before the grant's history start are withheld.
reasons contains "GRANT.HISTORY_NOT_GRANTED" if {
	input.action == "deliver"
	grant_present
	not delivery_within_history
}

delivery_within_history if {
	is_number(input.grant.historyFrom)
	is_number(input.delivery.publishedFrom)
	input.delivery.publishedFrom >= input.grant.historyFrom
}
