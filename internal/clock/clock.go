// Package clock gives services the time. Each service takes a Clock when
// it is built (internal/app), so tests can set the time a rule sees.
package clock

import "time"

// Clock returns the current time in UTC.
type Clock func() time.Time

// Real is the wall clock, in UTC.
func Real() time.Time { return time.Now().UTC() }

// At is a clock stopped at t.
func At(t time.Time) Clock { return t.UTC }
