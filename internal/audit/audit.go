// Package audit writes one AuditEvent per domain operation: a mutation, an
// import, a scheduled job (see Operation). The ent hook gathers every row a
// transaction changes, and the ledger entries it books, and writes them as
// one event just before the transaction commits, naming the person (or
// job) who acted. Writers take no lock for it: the transparency log
// (internal/translog) seals committed events into its Merkle tree
// afterwards, which is what makes an edited, deleted or reordered event
// detectable.
package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"bangfu/ent"
	"bangfu/internal/reqid"
	"bangfu/internal/viewer"

	entgo "entgo.io/ent"
)

type skipKey struct{}

// WithoutEvents marks bulk loads (demo data, benchmark data, imports) that
// record one summary event themselves (Append) instead of every row.
func WithoutEvents(ctx context.Context) context.Context {
	return context.WithValue(ctx, skipKey{}, true)
}

// Event is the content of one audit event.
type Event struct {
	OccurredAt     time.Time
	ActorID        int
	Job            string
	OrganizationID int
	// Action is the operation's name.
	Action string
	// EntityType and EntityID name the first row changed.
	EntityType string
	EntityID   int
	// Changes lists the rows changed (see Change).
	Changes []map[string]any
	// Ledger sums the ledger entries booked, by kind (see LedgerSummary).
	Ledger    map[string]any
	RequestID string
}

// Change is one row an operation changed: its type, id and operation
// (create, update, delete), and the fields it set, before and after.
type Change struct {
	Type   string
	ID     int
	Op     string
	Before map[string]any
	After  map[string]any
	// IDs lists the rows of a bulk update or delete.
	IDs []int
}

func (c Change) encode() map[string]any {
	m := map[string]any{"type": c.Type, "op": c.Op}
	if c.ID != 0 {
		m["id"] = c.ID
	}
	if len(c.Before) > 0 {
		m["before"] = c.Before
	}
	if len(c.After) > 0 {
		m["after"] = c.After
	}
	if c.IDs != nil {
		m["ids"] = c.IDs
	}
	return m
}

// ErrNoActor refuses a change that would name nobody: every event names
// the person who acted or the job that did (see Begin and BeginJob).
var ErrNoActor = errors.New("audit: a change with no person or job to name; begin an operation (audit.Begin, audit.BeginJob)")

// Hook records every create, update and delete of the mutation's type in
// its transaction's event. ent/schema's AuditMixin puts it on every
// audited type. A change outside a transaction is its own operation and
// writes its event at once.
func Hook(next entgo.Mutator) entgo.Mutator {
	return entgo.MutateFunc(func(ctx context.Context, m entgo.Mutation) (entgo.Value, error) {
		if ctx.Value(skipKey{}) != nil {
			return next.Mutate(ctx, m)
		}
		c, err := describe(ctx, m)
		if err != nil {
			return nil, err
		}
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return nil, err
		}
		if c.ID == 0 && c.IDs == nil {
			c.ID = idOf(m)
		}
		client := clientOf(m)
		rec := recorderFor(ctx, client)
		if le, ok := m.(*ent.LedgerEntryMutation); ok && m.Op().Is(entgo.OpCreate) {
			kind, _ := le.Kind()
			amount, _ := le.Amount()
			rec.addLedger(kind.String(), c.ID, amount)
		} else {
			rec.add(c)
		}
		if rec.standalone {
			if err := rec.write(ctx, client); err != nil {
				return nil, err
			}
		}
		return v, nil
	})
}

// Record adds a change made without ent's builders (a multi-row statement)
// to the event of the transaction tx belongs to.
func Record(ctx context.Context, tx *ent.Client, changes ...Change) error {
	if ctx.Value(skipKey{}) != nil {
		return nil
	}
	if tx.TxKey() == nil {
		return errors.New("audit.Record: outside a transaction")
	}
	rec := recorderFor(ctx, tx)
	for _, c := range changes {
		rec.add(c)
	}
	return nil
}

// recorder gathers one transaction's changes.
type recorder struct {
	mu         sync.Mutex
	ev         Event
	op         *Operation
	viewerID   int
	ledger     map[string]*LedgerSummary
	standalone bool // outside a transaction: written per change
}

// LedgerSummary is what an event says of the ledger entries of one kind it
// booked.
type LedgerSummary struct {
	Count int   `json:"count"`
	Sum   int64 `json:"sum"`
	IDs   []int `json:"ids"`
}

// open maps a transaction (ent.Client.TxKey) to its recorder, from its
// first change until it ends.
var open sync.Map

func recorderFor(ctx context.Context, client *ent.Client) *recorder {
	newRecorder := func() *recorder {
		r := &recorder{op: OperationFrom(ctx), ledger: map[string]*LedgerSummary{}, viewerID: viewer.FromContext(ctx).Person()}
		r.ev.RequestID = reqid.From(ctx)
		return r
	}
	key := client.TxKey()
	if key == nil {
		r := newRecorder()
		r.standalone = true
		return r
	}
	if r, ok := open.Load(key); ok {
		return r.(*recorder)
	}
	r := newRecorder()
	if actual, loaded := open.LoadOrStore(key, r); loaded {
		return actual.(*recorder)
	}
	client.Committed(func(ctx context.Context, tx *ent.Client) error {
		return r.write(ctx, tx)
	}, func() { open.Delete(key) })
	return r
}

func (r *recorder) add(c Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ev.EntityType == "" {
		r.ev.EntityType, r.ev.EntityID = c.Type, c.ID
	}
	r.ev.Changes = append(r.ev.Changes, c.encode())
}

func (r *recorder) addLedger(kind string, id int, amount int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ev.EntityType == "" {
		r.ev.EntityType, r.ev.EntityID = "LedgerEntry", id
	}
	s := r.ledger[kind]
	if s == nil {
		s = &LedgerSummary{}
		r.ledger[kind] = s
	}
	s.Count++
	s.Sum += amount
	s.IDs = append(s.IDs, id)
}

// write writes the event in the transaction c belongs to (or a new one).
func (r *recorder) write(ctx context.Context, c *ent.Client) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ev.EntityType == "" {
		return nil // nothing changed
	}
	ev := r.ev
	action := "LedgerEntry.create"
	if len(ev.Changes) > 0 {
		action = fmt.Sprint(ev.Changes[0]["type"], ".", ev.Changes[0]["op"])
	}
	if err := ev.attribute(r.op, r.viewerID, action); err != nil {
		return err
	}
	if len(r.ledger) > 0 {
		ev.Ledger = map[string]any{}
		for kind, s := range r.ledger {
			sort.Ints(s.IDs)
			ev.Ledger[kind] = map[string]any{"count": s.Count, "sum": s.Sum, "ids": slices.Clone(s.IDs)}
		}
	}
	if r.standalone {
		return Append(ctx, c, ev)
	}
	return appendIn(viewer.AsSystem(ctx), c, ev)
}

// attribute names who acted and what was done, from the operation (or,
// outside one, the viewer and the action its first change names), and
// stamps the event with the time. Every event, whether the hook gathers
// it or a statement writes it (InsertFrom), is attributed here.
func (ev *Event) attribute(op *Operation, viewerID int, action string) error {
	if op != nil {
		ev.Action, ev.ActorID, ev.OrganizationID, ev.Job = op.Name, op.ActorID, op.OrganizationID, op.Job
	} else {
		ev.Action = action
	}
	if ev.ActorID == 0 && ev.Job == "" {
		ev.ActorID = viewerID
	}
	if ev.ActorID == 0 && ev.Job == "" {
		return fmt.Errorf("%w (%s)", ErrNoActor, ev.Action)
	}
	ev.OccurredAt = time.Now().UTC().Truncate(time.Microsecond)
	return nil
}

// InsertFrom is the event of ctx's operation as SQL, for an operation done
// in one statement of data-modifying CTEs (the marketplace's placement on
// PostgreSQL), where no ent mutation runs and so no Hook gathers changes:
// an INSERT ... SELECT of one event per row of from, whose entity id and
// changes are SQL expressions over the statement's CTEs. The changes must
// be the ones the Hook would have recorded, in an order of the caller's
// (Value formats the values the caller knows); a test of the caller's
// compares the two. entityID, changes and from are SQL text spliced into
// the query: fixed text of the caller's, never input, whose values go in
// changesArgs. action names the event outside an operation, as the first
// change would. The query's parameters are ? placeholders. ok is false
// when ctx records no events (WithoutEvents).
func InsertFrom(ctx context.Context, action, entityType, entityID, changes string, changesArgs []any, from string) (query string, args []any, ok bool, err error) {
	if ctx.Value(skipKey{}) != nil {
		return "", nil, false, nil
	}
	ev := Event{RequestID: reqid.From(ctx)}
	if err := ev.attribute(OperationFrom(ctx), viewer.FromContext(ctx).Person(), action); err != nil {
		return "", nil, false, err
	}
	// As appendIn writes it: no person or organization is NULL, no job
	// the empty string.
	nullable := func(id int) any {
		if id == 0 {
			return nil
		}
		return id
	}
	query = "INSERT INTO audit_events (occurred_at, actor_id, job, organization_id, action, entity_type, entity_id, changes, request_id)" +
		" SELECT ?, CAST(? AS BIGINT), ?, CAST(? AS BIGINT), ?, ?, " + entityID + ", " + changes + ", ? FROM " + from
	args = append([]any{ev.OccurredAt, nullable(ev.ActorID), ev.Job, nullable(ev.OrganizationID), ev.Action, entityType}, changesArgs...)
	return query, append(args, ev.RequestID), true, nil
}

type mutationWithClient interface {
	Client() *ent.Client
}

func clientOf(m entgo.Mutation) *ent.Client { return m.(mutationWithClient).Client() }

func idOf(m entgo.Mutation) int {
	if x, ok := m.(interface{ ID() (int, bool) }); ok {
		id, _ := x.ID()
		return id
	}
	return 0
}

// describe is the change m makes, as far as it is known before it runs.
func describe(ctx context.Context, m entgo.Mutation) (Change, error) {
	c := Change{Type: m.Type(), Op: opName(m.Op())}
	if _, ok := m.(*ent.LedgerEntryMutation); ok && m.Op().Is(entgo.OpCreate) {
		return c, nil // summarized by kind
	}
	after := map[string]any{}
	for _, f := range m.Fields() {
		val, _ := m.Field(f)
		after[f] = Value(m.Type(), f, val)
	}
	for _, f := range m.ClearedFields() {
		after[f] = nil
	}
	c.After = after
	switch {
	case m.Op().Is(entgo.OpUpdateOne) || m.Op().Is(entgo.OpDeleteOne):
		c.ID = idOf(m)
		if m.Op().Is(entgo.OpUpdateOne) {
			before := map[string]any{}
			old := viewer.AsSystem(ctx)
			for _, f := range append(m.Fields(), m.ClearedFields()...) {
				val, err := m.OldField(old, f)
				if err != nil {
					return c, err
				}
				before[f] = Value(m.Type(), f, val)
			}
			c.Before = before
		}
	case m.Op().Is(entgo.OpUpdate) || m.Op().Is(entgo.OpDelete):
		// Bulk changes: record which rows they touch.
		if x, ok := m.(interface {
			IDs(context.Context) ([]int, error)
		}); ok {
			ids, err := x.IDs(viewer.AsSystem(ctx))
			if err != nil {
				return c, err
			}
			sort.Ints(ids)
			c.IDs = append([]int{}, ids...)
		}
	}
	return c, nil
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

// Append writes ev as an event of its own: a bulk operation's summary.
// Who acted and the request come from ctx's operation (or viewer) unless
// ev names them. Inside a transaction it joins it, so the event commits
// or rolls back with the change; otherwise it uses a transaction of its
// own.
func Append(ctx context.Context, client *ent.Client, ev Event) error {
	if ev.ActorID == 0 && ev.Job == "" {
		if op := OperationFrom(ctx); op != nil {
			ev.ActorID, ev.Job, ev.OrganizationID = op.ActorID, op.Job, op.OrganizationID
		}
		if ev.ActorID == 0 && ev.Job == "" {
			ev.ActorID = viewer.FromContext(ctx).Person()
		}
	}
	if ev.RequestID == "" {
		ev.RequestID = reqid.From(ctx)
	}
	if ev.OccurredAt.IsZero() {
		ev.OccurredAt = time.Now().UTC().Truncate(time.Microsecond)
	}
	ctx = viewer.AsSystem(ctx)
	if ev.ActorID == 0 && ev.Job == "" {
		return fmt.Errorf("%w (%s)", ErrNoActor, ev.Action)
	}
	if client.TxKey() != nil {
		return appendIn(ctx, client, ev)
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := appendIn(ctx, tx.Client(), ev); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// appendIn writes ev inside the transaction c belongs to.
//
// The event carries no hash of its own: the transparency log seals the row
// as committed (internal/translog), and its leaf is what proves the
// content. (Events written before the log have one, from the hash chain.)
func appendIn(ctx context.Context, c *ent.Client, ev Event) error {
	create := c.AuditEvent.Create().
		SetOccurredAt(ev.OccurredAt).SetAction(ev.Action).SetEntityType(ev.EntityType).
		SetEntityID(ev.EntityID).SetRequestID(ev.RequestID).SetJob(ev.Job)
	if ev.ActorID != 0 {
		create.SetActorID(ev.ActorID)
	}
	if ev.OrganizationID != 0 {
		create.SetOrganizationID(ev.OrganizationID)
	}
	if len(ev.Changes) > 0 {
		create.SetChanges(ev.Changes)
	}
	if len(ev.Ledger) > 0 {
		create.SetLedger(ev.Ledger)
	}
	return create.Exec(ctx)
}
