package live

import (
	"context"
	"slices"
	"sync"

	"bangfu/ent"
	"bangfu/ent/schema"
	"bangfu/internal/store"
	"bangfu/internal/viewer"

	entgo "entgo.io/ent"
)

// Hook returns the ent hook that publishes, once a transaction has
// committed, the topics of what it changed. Nothing is published for a
// transaction that rolls back, so subscribers never see a change that
// did not happen. Install it with client.Use before the client is shared.
func Hook(h *Hub) entgo.Hook {
	var pending sync.Map // transaction key → *topicSet
	return func(next entgo.Mutator) entgo.Mutator {
		return entgo.MutateFunc(func(ctx context.Context, m entgo.Mutation) (entgo.Value, error) {
			before, err := bulkOrders(ctx, m)
			if err != nil {
				return nil, err
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			topics := slices.Concat(before, topicsOf(m))
			if len(topics) == 0 {
				return v, nil
			}
			c := clientOf(m)
			var key any
			if c != nil {
				key = c.TxKey()
			}
			if key == nil {
				h.Publish(topics...) // not in a transaction: already committed
				return v, nil
			}
			set, loaded := pending.LoadOrStore(key, &topicSet{seen: map[string]struct{}{}})
			ts := set.(*topicSet)
			if !loaded {
				store.AfterCommit(c, func() { h.Publish(ts.list()...) })
				c.Committed(func(context.Context, *ent.Client) error { return nil }, func() { pending.Delete(key) })
			}
			ts.add(topics)
			return v, nil
		})
	}
}

// topicSet gathers one transaction's topics.
type topicSet struct {
	mu    sync.Mutex
	seen  map[string]struct{}
	items []string
}

func (s *topicSet) add(topics []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range topics {
		if _, ok := s.seen[t]; !ok {
			s.seen[t] = struct{}{}
			s.items = append(s.items, t)
		}
	}
}

func (s *topicSet) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.items...)
}

// bulkOrders names the orders a bulk update or delete is about to change:
// afterwards the predicate may no longer match them. It reads as the
// system because which rows change is not the viewer's to filter.
func bulkOrders(ctx context.Context, m entgo.Mutation) ([]string, error) {
	om, ok := m.(*ent.OrderMutation)
	if !ok || !(om.Op().Is(entgo.OpUpdate) || om.Op().Is(entgo.OpDelete)) {
		return nil, nil
	}
	ids, err := om.IDs(viewer.AsSystem(ctx))
	if err != nil {
		return nil, err
	}
	topics := make([]string, len(ids))
	for i, id := range ids {
		topics[i] = OrderTopic(id)
	}
	return topics, nil
}

// topicsOf names what a successful mutation changed, as far as anyone
// subscribes to it.
func topicsOf(m entgo.Mutation) []string {
	switch m := m.(type) {
	case *ent.OrderMutation:
		if id, ok := m.ID(); ok {
			return []string{OrderTopic(id)}
		}
	case *ent.LedgerEntryMutation:
		// Credits and their reversals move an agreement's progress.
		agreement, ok := m.AgreementID()
		year, hasYear := m.Year()
		if ok && hasYear {
			return []string{ProgressTopic(agreement, year)}
		}
	case *ent.SessionMutation, *ent.UserMutation, *ent.MembershipMutation, *ent.OrganizationMutation, *ent.RegionMutation:
		if changesViewers(m) {
			return []string{AccountsTopic}
		}
	case *ent.AgreementMutation, *ent.TargetMutation, *ent.ProgressReportMutation:
		// Amendments, targets and approved reports: rare, so every
		// progress subscriber re-reads rather than each being named.
		return []string{AgreementsTopic}
	}
	return nil
}

// changesViewers reports whether m may change what a viewer is built
// from (auth's viewerQuery reads: the account's status, its live sessions,
// its memberships and their scope, their organizations' regions and those
// regions' codes). Creating an account, an organization, a region or a
// sign-in changes no existing viewer; a refresh's rotation (the session's
// successor is created with it) ends no sign-in; a sign-in's stamp of the
// time changes no role. Everything else about these kinds does, edges
// (memberships, scope) included.
func changesViewers(m entgo.Mutation) bool {
	if m.Op().Is(entgo.OpCreate) {
		switch m.(type) {
		case *ent.MembershipMutation:
			return true // a role granted
		case *ent.SessionMutation:
			return false // its one edge is its own account's
		}
		// A new account, organization or region changes no viewer, unless
		// it is created with edges: those may take existing rows over (a
		// region created with existing memberships in its scope). An
		// organization always has its region: registrations are rare.
		return len(m.AddedEdges()) > 0
	}
	if m.Op().Is(entgo.OpDelete | entgo.OpDeleteOne) {
		return true
	}
	if len(m.AddedEdges())+len(m.RemovedEdges())+len(m.ClearedEdges()) > 0 {
		return true
	}
	switch m := m.(type) {
	case *ent.SessionMutation:
		reason, _ := m.RevokeReason()
		return reason != schema.RevokedRotated
	case *ent.UserMutation:
		_, status := m.Status()
		return status
	case *ent.OrganizationMutation:
		_, region := m.RegionID()
		return region || m.RegionCleared()
	}
	return true // a membership's role or scope; a region's code
}

// clientOf is the client a mutation runs on (its transaction's, if any).
func clientOf(m entgo.Mutation) *ent.Client {
	if c, ok := m.(interface{ Client() *ent.Client }); ok {
		return c.Client()
	}
	return nil
}
