// Package audit appends a hash-chained AuditEvent for every change made
// through ent, and verifies the chain. Each event's hash covers its content
// and the previous event's hash, so editing or deleting any stored event
// breaks every hash after it.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"time"

	"bangfu/ent"
	"bangfu/ent/auditevent"
	"bangfu/internal/reqid"
	"bangfu/internal/viewer"

	entgo "entgo.io/ent"
	"entgo.io/ent/dialect"
)

// redacted lists personal or secret fields whose values never enter the
// trail; the event still records that they changed.
var redacted = map[string]bool{
	"User.password_hash":             true,
	"HouseholdMember.name":           true,
	"HouseholdMember.id_number":      true,
	"HouseholdMember.id_number_hash": true,
	"HouseholdMember.phone":          true,
	"Household.responsible_cadre":    true,
	"Session.token_hash":             true,
}

// pgLockKey serializes chain appends across connections and replicas.
const pgLockKey = 727_7032

type skipKey struct{}

// WithoutEvents marks bulk loads (demo data, benchmark data) that record
// one summary event themselves instead of one per row.
func WithoutEvents(ctx context.Context) context.Context {
	return context.WithValue(ctx, skipKey{}, true)
}

// Hook records every create, update and delete of the mutation's type.
// ent/schema's AuditMixin puts it on every audited type.
func Hook(next entgo.Mutator) entgo.Mutator {
	return entgo.MutateFunc(func(ctx context.Context, m entgo.Mutation) (entgo.Value, error) {
		if ctx.Value(skipKey{}) != nil {
			return next.Mutate(ctx, m)
		}
		client := clientOf(m)
		inTx := transactional(m)
		if inTx && client.Dialect() == dialect.Postgres {
			// Take the chain lock before the change takes any row lock:
			// every writing transaction then queues on this one lock
			// first, so row locks can never be taken in a cycle. It is
			// held until the transaction ends.
			if _, err := client.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", pgLockKey); err != nil {
				return nil, err
			}
		}
		ev, err := describe(ctx, m)
		if err != nil {
			return nil, err
		}
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return nil, err
		}
		if ev.EntityID == 0 {
			if id, ok := idOf(m); ok {
				ev.EntityID = id
			}
		}
		if inTx {
			err = appendIn(viewer.AsSystem(ctx), client, ev, false)
		} else {
			err = Append(ctx, client, ev)
		}
		if err != nil {
			return nil, fmt.Errorf("recording audit event: %w", err)
		}
		return v, nil
	})
}

// Event is the content of one audit event.
type Event struct {
	OccurredAt     time.Time      `json:"occurred_at"`
	ActorID        int            `json:"actor_id,omitempty"`
	OrganizationID int            `json:"organization_id,omitempty"`
	Action         string         `json:"action"`
	EntityType     string         `json:"entity_type"`
	EntityID       int            `json:"entity_id,omitempty"`
	Before         map[string]any `json:"before,omitempty"`
	After          map[string]any `json:"after,omitempty"`
	RequestID      string         `json:"request_id,omitempty"`
}

// Hash is SHA-256 over the previous hash and the event's canonical JSON
// (encoding/json sorts map keys, so the encoding is stable).
func Hash(prev string, e Event) string {
	e.OccurredAt = e.OccurredAt.UTC()
	b, _ := json.Marshal(e)
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

type mutationWithClient interface {
	Client() *ent.Client
}

func clientOf(m entgo.Mutation) *ent.Client { return m.(mutationWithClient).Client() }

func transactional(m entgo.Mutation) bool {
	t, ok := m.(interface{ Tx() (*ent.Tx, error) })
	if !ok {
		return false
	}
	_, err := t.Tx()
	return err == nil
}

func idOf(m entgo.Mutation) (int, bool) {
	if x, ok := m.(interface{ ID() (int, bool) }); ok {
		return x.ID()
	}
	return 0, false
}

func describe(ctx context.Context, m entgo.Mutation) (Event, error) {
	v := viewer.FromContext(ctx)
	ev := Event{
		OccurredAt: time.Now().UTC().Truncate(time.Microsecond),
		ActorID:    v.UserID,
		Action:     m.Type() + "." + opName(m.Op()),
		EntityType: m.Type(),
		RequestID:  reqid.From(ctx),
	}
	if orgs := v.OrgIDs(viewer.Buyer, viewer.Supplier); len(orgs) > 0 {
		ev.OrganizationID = orgs[0]
	}
	after := map[string]any{}
	for _, f := range m.Fields() {
		val, _ := m.Field(f)
		after[f] = value(m.Type(), f, val)
	}
	for _, f := range m.ClearedFields() {
		after[f] = nil
	}
	if len(after) > 0 {
		ev.After = after
	}
	switch {
	case m.Op().Is(entgo.OpUpdateOne) || m.Op().Is(entgo.OpDeleteOne):
		id, _ := idOf(m)
		ev.EntityID = id
		if m.Op().Is(entgo.OpUpdateOne) {
			before := map[string]any{}
			old := viewer.AsSystem(ctx)
			for _, f := range append(m.Fields(), m.ClearedFields()...) {
				val, err := m.OldField(old, f)
				if err != nil {
					return ev, err
				}
				before[f] = value(m.Type(), f, val)
			}
			ev.Before = before
		}
	case m.Op().Is(entgo.OpUpdate) || m.Op().Is(entgo.OpDelete):
		// Bulk changes: record which rows they touch.
		if x, ok := m.(interface {
			IDs(context.Context) ([]int, error)
		}); ok {
			ids, err := x.IDs(viewer.AsSystem(ctx))
			if err != nil {
				return ev, err
			}
			sort.Ints(ids)
			ev.Before = map[string]any{"ids": ids}
		}
	}
	return ev, nil
}

func opName(op entgo.Op) string {
	switch {
	case op.Is(entgo.OpCreate):
		return "create"
	case op.Is(entgo.OpUpdateOne), op.Is(entgo.OpUpdate):
		return "update"
	default:
		return "delete"
	}
}

// value makes a field value stable under a JSON round trip.
func value(typ, field string, v any) any {
	if redacted[typ+"."+field] {
		return "[redacted]"
	}
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	case *time.Time:
		if x == nil {
			return nil
		}
		return x.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	case fmt.Stringer:
		// A nil *Enum is a Stringer too (the value method is in the
		// pointer's method set) and would panic: it is simply unset.
		if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil
		}
		return x.String()
	}
	// Round-trip through JSON so the hash input equals what is read back.
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// Append writes ev at the end of the chain. Inside a transaction it joins
// it, so the event commits or rolls back with the change; otherwise it
// uses a transaction of its own.
func Append(ctx context.Context, client *ent.Client, ev Event) error {
	ctx = viewer.AsSystem(ctx)
	tx, err := client.Tx(ctx)
	if err != nil {
		// Already transactional (ent refuses nested transactions): join it.
		return appendIn(ctx, client, ev, true)
	}
	if err := appendIn(ctx, tx.Client(), ev, true); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// appendIn writes ev inside the transaction c belongs to; lock says whether
// the chain lock still has to be taken.
func appendIn(ctx context.Context, c *ent.Client, ev Event, lock bool) error {
	if lock && c.Dialect() == dialect.Postgres {
		if _, err := c.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", pgLockKey); err != nil {
			return err
		}
	}
	prev := ""
	last, err := c.AuditEvent.Query().Order(ent.Desc(auditevent.FieldID)).First(ctx)
	switch {
	case err == nil:
		prev = last.Hash
	case !ent.IsNotFound(err):
		return err
	}
	create := c.AuditEvent.Create().
		SetOccurredAt(ev.OccurredAt).SetAction(ev.Action).SetEntityType(ev.EntityType).
		SetEntityID(ev.EntityID).SetRequestID(ev.RequestID).
		SetPrevHash(prev).SetHash(Hash(prev, ev))
	if ev.ActorID != 0 {
		create.SetActorID(ev.ActorID)
	}
	if ev.OrganizationID != 0 {
		create.SetOrganizationID(ev.OrganizationID)
	}
	if ev.Before != nil {
		create.SetBefore(ev.Before)
	}
	if ev.After != nil {
		create.SetAfter(ev.After)
	}
	return create.Exec(ctx)
}
