// Package lifecycle is the order lifecycle (832 platform practice): which
// step moves an order from which states into which state, and which party
// takes it. It is database-free so that both the marketplace
// (internal/market, which takes the steps) and the Order privacy policy
// (ent/schema, which decides who may) read the one table.
package lifecycle

import (
	"bangfu/ent/order"
	"bangfu/internal/workflow"
)

// Action names a lifecycle step.
type Action string

// The order lifecycle: PLACED → CONFIRMED → SHIPPED → DELIVERED → ACCEPTED
// → SETTLED; CANCELLED before shipping (stock returns); REFUNDED after
// settlement (everything it credited is reversed).
const (
	Confirm Action = "confirm"
	Ship    Action = "ship"
	Deliver Action = "deliver"
	Accept  Action = "accept"
	Settle  Action = "settle"
	Cancel  Action = "cancel"
	Refund  Action = "refund"
)

// The parties of an order.
const (
	Buyer workflow.Party = 1 << iota
	Supplier
)

// Steps of the lifecycle. Each state is entered by exactly one step, so the
// party that may move an order into a state follows from the state alone.
var Steps = workflow.Steps[Action, order.Status]{
	Confirm: {From: []order.Status{order.StatusPLACED}, To: order.StatusCONFIRMED, By: Supplier},
	Ship:    {From: []order.Status{order.StatusCONFIRMED}, To: order.StatusSHIPPED, By: Supplier},
	Deliver: {From: []order.Status{order.StatusSHIPPED}, To: order.StatusDELIVERED, By: Supplier | Buyer},
	Accept:  {From: []order.Status{order.StatusDELIVERED}, To: order.StatusACCEPTED, By: Buyer},
	Settle:  {From: []order.Status{order.StatusACCEPTED}, To: order.StatusSETTLED, By: Buyer},
	Cancel:  {From: []order.Status{order.StatusPLACED, order.StatusCONFIRMED}, To: order.StatusCANCELLED, By: Buyer | Supplier},
	Refund:  {From: []order.Status{order.StatusSETTLED}, To: order.StatusREFUNDED, By: Supplier},
}

// Rateable are the states in which the buyer rates an order.
var Rateable = []order.Status{order.StatusACCEPTED, order.StatusSETTLED}

// EnteredBy is the party that may move an order into status; 0 for a state
// no step enters (PLACED, which only placement creates).
func EnteredBy(status order.Status) workflow.Party {
	for _, a := range Steps.Into(status) {
		return Steps[a].By
	}
	return 0
}

// PartyName says who a party is, for messages.
func PartyName(p workflow.Party) string {
	switch p {
	case Buyer:
		return "buyer"
	case Supplier:
		return "supplier"
	}
	return "buyer or supplier"
}
