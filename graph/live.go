package graph

import (
	"reflect"

	"bangfu/ent"
	"bangfu/graph/gqlerr"
	"bangfu/internal/agreements"
	"bangfu/internal/live"
)

// endsSubscription: a subscription whose subject is gone or no longer
// readable by the subscriber completes; other errors (the database away)
// are retried.
func endsSubscription(err error) bool {
	switch gqlerr.CodeOf(err) {
	case gqlerr.NotFound, gqlerr.Forbidden, gqlerr.Unauthenticated, gqlerr.BadUserInput:
		return true
	}
	return false
}

// sameOrder: every change of an order moves its updated_at (ent's update
// default), so that and the status tell whether anything changed.
func sameOrder(a, b *ent.Order) bool {
	return a.Status == b.Status && a.UpdatedAt.Equal(b.UpdatedAt) && reflect.DeepEqual(a.Rating, b.Rating)
}

// sameProgress compares the figures, not the time they were read at.
func sameProgress(a, b *agreements.AgreementProgress) bool {
	return a.Agreement.ID == b.Agreement.ID && a.DaysElapsed == b.DaysElapsed &&
		reflect.DeepEqual(a.Targets, b.Targets)
}

// progressTopics wake an agreement's progress: credits of any of its
// versions in the year, and changes of agreements, targets and reports.
func progressTopics(versions []int, year int) []string {
	topics := make([]string, 0, len(versions)+1)
	for _, v := range versions {
		topics = append(topics, live.ProgressTopic(v, year))
	}
	return append(topics, live.AgreementsTopic)
}
