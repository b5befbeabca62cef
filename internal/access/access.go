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
	// ReadFigures: aggregated figures (agreement progress, roll-ups, canteen
	// quotas, incentive summaries) are read by every signed-in user; the
	// services compute them as the system from rows the user may not see.
	ReadFigures Permission = iota + 1
	// RunLedgerJob: whole-ledger jobs (recomputing attribution, the
	// early-warning scan) are run by ADMIN or by the server itself.
	RunLedgerJob
)

// Check refuses the caller unless it holds the permission.
func Check(ctx context.Context, p Permission) error {
	v := viewer.FromContext(ctx)
	switch p {
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
