package audit

import (
	"context"

	"bangfu/internal/viewer"
)

// Operation is the domain operation a change belongs to: what is being
// done (a mutation's name, an import, a scheduled job) and who does it.
// Every transaction's changes become one audit event naming it.
type Operation struct {
	// Name is the operation: "placeOrder", "households.import",
	// "monitoring-scan".
	Name string
	// ActorID is the person acting; 0 when a job acts.
	ActorID int
	// OrganizationID is the organization the person acts for, if one.
	OrganizationID int
	// Job names the scheduled job or command acting when no person does.
	Job string
}

type opKey struct{}

// Begin starts the operation name in ctx, done by the person ctx's viewer
// is (or acts for): bookkeeping the server does on the person's behalf
// (settlement's ledger entries, say) names them.
func Begin(ctx context.Context, name string) context.Context {
	v := viewer.FromContext(ctx)
	op := &Operation{Name: name, ActorID: v.Person()}
	if orgs := v.OrgIDs(viewer.Buyer, viewer.Supplier, viewer.OrgManager); len(orgs) > 0 {
		op.OrganizationID = orgs[0]
	}
	return context.WithValue(ctx, opKey{}, op)
}

// Within returns ctx inside an operation: the one already begun (a
// mutation's), or a new one named name done by ctx's viewer. Services
// whose methods also run outside GraphQL (sign-in from the command line or
// a test) begin here.
func Within(ctx context.Context, name string) context.Context {
	if OperationFrom(ctx) != nil {
		return ctx
	}
	return Begin(ctx, name)
}

// WithinJob returns ctx inside an operation for a job that a person may
// also start (an ADMIN's runMonitoringScan) or the server runs on its own:
// the operation already begun, or one named job done by ctx's person, or
// by the job itself when no person acts.
func WithinJob(ctx context.Context, job string) context.Context {
	switch {
	case OperationFrom(ctx) != nil:
		return ctx
	case viewer.FromContext(ctx).Person() != 0:
		return Begin(ctx, job)
	}
	return BeginJob(ctx, job)
}

// BeginJob starts an operation that a scheduled job or a command does, not
// a person: its events name the job.
func BeginJob(ctx context.Context, job string) context.Context {
	return context.WithValue(ctx, opKey{}, &Operation{Name: job, Job: job})
}

// Attribute names the person an operation acts for once it is known,
// where the caller was anonymous when it began: signing in or up, or
// refreshing a session, acts for the account it proves.
func Attribute(ctx context.Context, userID int) {
	if op := OperationFrom(ctx); op != nil && op.ActorID == 0 && op.Job == "" {
		op.ActorID = userID
	}
}

// OperationFrom returns the operation in ctx, or nil.
func OperationFrom(ctx context.Context) *Operation {
	op, _ := ctx.Value(opKey{}).(*Operation)
	return op
}
