// Package workflow is the one way bangfu describes a status workflow
// (orders, supplier onboarding, certification, agreements, monitoring
// cases): which step leads from which states into which state, and whether
// it needs a reason. Services take a step as a guarded update, so that
// whatever the order of the checks, a caller learns in this order what is
// wrong: the input (BAD_USER_INPUT), the caller's right (FORBIDDEN, from
// the privacy policy when the update is saved), then the state (CONFLICT,
// with the current status):
//
//	step, err := steps.Get(action)          // unknown action: BAD_USER_INPUT
//	row := read the row                     // NOT_FOUND
//	err = update WHERE status IN step.From  // policy first: FORBIDDEN
//	if ent.IsNotFound(err) { return step.Refuse("order", action, row.Status) }
package workflow

import (
	"slices"
	"strings"

	"bangfu/internal/apperr"
)

// Party is a bit set of the parties that may take a step, for workflows
// whose steps belong to different sides (an order's buyer and supplier).
// Each workflow names its own parties.
type Party uint

// Step is one move of a workflow.
type Step[S ~string] struct {
	From        []S // the states it starts from
	To          S   // the state it leads into
	By          Party
	NeedsReason bool
}

// Steps maps each action of a workflow to its step.
type Steps[A ~string, S ~string] map[A]Step[S]

// Get returns the step of action; an unknown action is BAD_USER_INPUT.
func (t Steps[A, S]) Get(action A) (Step[S], error) {
	s, ok := t[action]
	if !ok {
		return s, apperr.BadInput("unknown step %q", action)
	}
	return s, nil
}

// Into lists the actions whose step leads into state to; a policy uses it
// to tell who may move a row into a state.
func (t Steps[A, S]) Into(to S) []A {
	var out []A
	for a, s := range t {
		if s.To == to {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

// Allows reports whether the step starts from current.
func (s Step[S]) Allows(current S) bool { return slices.Contains(s.From, current) }

// Refuse is the CONFLICT for a guarded update that found its row in no
// state the step starts from: either the row is in the wrong state, or it
// moved while the caller acted on it.
func (s Step[S]) Refuse(what string, action any, current S) error {
	if s.Allows(current) {
		return apperr.Conflict("the %s changed while you were acting on it; reload it", what).WithStatus(string(current))
	}
	return apperr.Conflict("the %s is %s; it cannot %v now", what, current, action).WithStatus(string(current))
}

// Reason trims reason and, when the step needs one, requires it.
func (s Step[S]) Reason(action any, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if s.NeedsReason && reason == "" {
		return "", apperr.BadInput("a reason is required to %v", action)
	}
	return reason, nil
}
