package audit

import (
	"context"

	"bangfu/ent"
	"bangfu/ent/auditevent"
	"bangfu/internal/viewer"
)

// Report is the result of checking the chain.
type Report struct {
	OK      bool
	Checked int
	// FirstBrokenID is the first event whose stored hash or link does not
	// match its content; 0 when the chain is intact.
	FirstBrokenID int
	Reason        string
}

// Verify recomputes every hash in order. A changed field, a deleted event
// or a re-linked event all show up as the first mismatch.
func Verify(ctx context.Context, client *ent.Client) (*Report, error) {
	ctx = viewer.AsSystem(ctx)
	rep := &Report{OK: true}
	prev := ""
	const page = 1000
	after := 0
	for {
		events, err := client.AuditEvent.Query().Where(auditevent.IDGT(after)).
			Order(ent.Asc(auditevent.FieldID)).Limit(page).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			rep.Checked++
			ev := Event{
				OccurredAt: e.OccurredAt, Action: e.Action, EntityType: e.EntityType, EntityID: e.EntityID,
				Before: e.Before, After: e.After, RequestID: e.RequestID,
			}
			if e.ActorID != nil {
				ev.ActorID = *e.ActorID
			}
			if e.OrganizationID != nil {
				ev.OrganizationID = *e.OrganizationID
			}
			switch {
			case e.PrevHash != prev:
				rep.OK, rep.FirstBrokenID, rep.Reason = false, e.ID, "link to the previous event is broken (an event was removed or reordered)"
			case Hash(prev, ev) != e.Hash:
				rep.OK, rep.FirstBrokenID, rep.Reason = false, e.ID, "content does not match its hash (the event was edited)"
			}
			if !rep.OK {
				return rep, nil
			}
			prev = e.Hash
			after = e.ID
		}
		if len(events) < page {
			return rep, nil
		}
	}
}
