// Package access holds the permissions that are not about a row. Every
// read and write of a row is decided by the privacy policies beside each
// schema (ent/schema); what a policy cannot see is an operation over many
// rows whose result is a figure (progress, roll-ups, quotas, incentive
// summaries) or a job over the whole ledger (recompute, the early-warning
// scan). Those permissions are decided here, and only here.
package access

import (
	"context"

	"bangfu/internal/apperr"
	"bangfu/internal/viewer"
)

// Permission is an operation that is not a row read or write.
type Permission int

const (
	// PublishedFigures are published figures (leaderboards, recognition) are
	// read by anyone, anonymous visitors included.
	PublishedFigures Permission = iota + 1
	// ReadFigures covers aggregated figures (agreement progress, roll-ups, canteen
	// quotas, incentive summaries) are read by every signed-in user; the
	// services compute them as the system from rows the user may not see.
	ReadFigures
	// RunLedgerJob covers whole-ledger jobs (recomputing attribution, the
	// early-warning scan) are run by ADMIN or by the server itself.
	RunLedgerJob
)

// Check refuses the caller unless it holds the permission.
func Check(ctx context.Context, p Permission) error {
	v := viewer.FromContext(ctx)
	switch p {
	case PublishedFigures:
		return nil
	case ReadFigures:
		if v.Authenticated() {
			return nil
		}
		return apperr.Unauthenticated("sign in to see progress and other figures")
	case RunLedgerJob:
		if v.IsSystem() || v.Has(viewer.Admin) {
			return nil
		}
		return apperr.Forbidden("this job is run by ADMIN or the server")
	}
	return apperr.Forbidden("unknown permission")
}

// As checks the permission and returns the context the operation runs in:
// the system's, because a figure sums (and a job reads and writes) rows
// that the caller may not see one by one. It is how services act as the
// system for a caller.
func As(ctx context.Context, p Permission) (context.Context, error) {
	if err := Check(ctx, p); err != nil {
		return nil, err
	}
	return viewer.AsSystem(ctx), nil
}
