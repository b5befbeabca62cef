package metrics

import (
	"context"

	"bangfu/ent"
	"bangfu/ent/hook"
	"bangfu/ent/order"
	"bangfu/internal/store"
)

// Instrument installs the hooks that count orders settled and refunded
// and ledger entries booked. A change counts once its transaction has
// committed (store.AfterCommit): a settlement that rolls back never shows.
// Orders placed are counted by the marketplace, which on PostgreSQL
// places them in one statement of its own, past ent's hooks: pass
// OrdersPlaced to it (app.Config). Call Instrument before the client is
// shared (ent's Use is not safe to call concurrently with mutations).
func (m *Metrics) Instrument(client *ent.Client) {
	client.Order.Use(hook.On(m.orderHook, ent.OpUpdate|ent.OpUpdateOne))
	client.LedgerEntry.Use(hook.On(m.ledgerHook, ent.OpCreate))
}

// OrdersPlaced counts the orders a committed placement made.
func (m *Metrics) OrdersPlaced(orders int) { m.ordersPlaced.Add(float64(orders)) }

func (m *Metrics) orderHook(next ent.Mutator) ent.Mutator {
	return hook.OrderFunc(func(ctx context.Context, om *ent.OrderMutation) (ent.Value, error) {
		v, err := next.Mutate(ctx, om)
		if err != nil {
			return v, err
		}
		var counter interface{ Add(float64) }
		if status, ok := om.Status(); ok {
			switch status {
			case order.StatusSETTLED:
				counter = m.ordersSettled
			case order.StatusREFUNDED:
				counter = m.ordersRefunded
			}
		}
		if counter == nil {
			return v, nil
		}
		n := 1
		if om.Op().Is(ent.OpUpdate) {
			// A bulk update returns how many rows it changed.
			n, _ = v.(int)
		}
		if n > 0 {
			store.AfterCommit(om.Client(), func() { counter.Add(float64(n)) })
		}
		return v, nil
	})
}

func (m *Metrics) ledgerHook(next ent.Mutator) ent.Mutator {
	return hook.LedgerEntryFunc(func(ctx context.Context, lm *ent.LedgerEntryMutation) (ent.Value, error) {
		v, err := next.Mutate(ctx, lm)
		if err != nil {
			return v, err
		}
		if kind, ok := lm.Kind(); ok {
			c := m.ledgerBooked.WithLabelValues(string(kind))
			store.AfterCommit(lm.Client(), c.Inc)
		}
		return v, nil
	})
}
