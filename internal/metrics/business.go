package metrics

import (
	"context"

	"bangfu/ent"
	"bangfu/ent/hook"
	"bangfu/ent/order"
	"bangfu/internal/store"
)

// Instrument installs the hooks that count orders placed, settled and
// refunded and ledger entries booked. A change counts once its
// transaction has committed (store.AfterCommit): a placement that rolls
// back, because stock ran out or the audit event failed, never shows.
// Call it before the client is shared (ent's Use is not safe to call
// concurrently with mutations).
func (m *Metrics) Instrument(client *ent.Client) {
	client.Order.Use(hook.On(m.orderHook, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne))
	client.LedgerEntry.Use(hook.On(m.ledgerHook, ent.OpCreate))
}

func (m *Metrics) orderHook(next ent.Mutator) ent.Mutator {
	return hook.OrderFunc(func(ctx context.Context, om *ent.OrderMutation) (ent.Value, error) {
		v, err := next.Mutate(ctx, om)
		if err != nil {
			return v, err
		}
		var counter interface{ Add(float64) }
		if om.Op().Is(ent.OpCreate) {
			counter = m.ordersPlaced
		} else if status, ok := om.Status(); ok {
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
