// Package live tells subscribers that something they watch has changed.
//
// It carries no data, only topic names ("order:42", "progress:7:2026"):
// a subscriber that is woken re-reads what it watches through the same
// checked path as any query (privacy rules, scope), so a notification can
// never leak a figure, and a lost or duplicated one costs only a read.
// Subscribers also re-read every Resync in case a wake-up was lost (a
// replica's connection to PostgreSQL dropped, say).
//
// Within one process the Hub fans out in memory. On PostgreSQL, NewPostgres
// relays topics through LISTEN/NOTIFY so that a change committed through
// one server replica wakes subscribers on every other.
package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// DefaultResync is how often a subscriber re-reads even without a
// wake-up.
const DefaultResync = 30 * time.Second

// Topic names. They name what changed, never how.
const (
	// AgreementsTopic: an agreement, a target or a progress report changed
	// (rare; every progress subscriber re-reads).
	AgreementsTopic = "agreements"
	// AccountsTopic: something a viewer is built from changed: a sign-in
	// ended, an account's status, a role or its scope, an organization's
	// region (rare; every cached viewer is dropped, see auth).
	AccountsTopic = "accounts"
)

// OrderTopic is woken when the order changes.
func OrderTopic(orderID int) string { return fmt.Sprintf("order:%d", orderID) }

// ProgressTopic is woken when credits of the agreement version for the
// year are booked or reversed.
func ProgressTopic(agreementID, year int) string {
	return fmt.Sprintf("progress:%d:%d", agreementID, year)
}

// relay carries topics to other processes; nil within one process.
type relay interface {
	send(topics []string)
	run(ctx context.Context, h *Hub)
	listening() bool
}

// Hub fans wake-ups out to subscriptions. Its methods are safe for
// concurrent use.
type Hub struct {
	// Resync is how often subscribers re-read without a wake-up.
	Resync time.Duration

	log    *slog.Logger
	sender string // this process's name on the relay, to skip its own echoes
	relay  relay

	mu     sync.Mutex
	topics map[string]map[*Subscription]struct{}
	all    map[*Subscription]struct{}
}

// NewLocal returns a hub for one process (the embedded SQLite store).
func NewLocal(log *slog.Logger) *Hub {
	if log == nil {
		log = slog.Default()
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	return &Hub{
		Resync: DefaultResync,
		log:    log,
		sender: hex.EncodeToString(id[:]),
		topics: map[string]map[*Subscription]struct{}{},
		all:    map[*Subscription]struct{}{},
	}
}

// Run relays wake-ups between processes until ctx ends; within one
// process there is nothing to run and it returns at once.
func (h *Hub) Run(ctx context.Context) {
	if h.relay != nil {
		h.relay.run(ctx, h)
	}
}

// Relaying reports whether every wake-up published anywhere reaches this
// process now: always within one process; on PostgreSQL while Run's
// LISTEN connection is up. A cache that is emptied by wake-ups (the
// viewers, in auth) may only keep what it reads while this holds.
func (h *Hub) Relaying() bool { return h.relay == nil || h.relay.listening() }

// Subscription is one watcher's wake-up signal.
type Subscription struct {
	// C receives a value when a watched topic changed. It is buffered by
	// one: wake-ups that arrive while one is pending merge into it.
	C      chan struct{}
	hub    *Hub
	topics []string
	own    bool // the server's own (Follow), not a client's
}

// Subscribe returns a subscription woken by any of the topics. Close it
// when done.
func (h *Hub) Subscribe(topics ...string) *Subscription { return h.subscribe(false, topics) }

// Follow is Subscribe for the server's own use (a cache that empties on
// a topic): it is woken alike, but not counted among Subscribers, which
// are the clients'.
func (h *Hub) Follow(topics ...string) *Subscription { return h.subscribe(true, topics) }

func (h *Hub) subscribe(own bool, topics []string) *Subscription {
	s := &Subscription{C: make(chan struct{}, 1), hub: h, topics: topics, own: own}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.all[s] = struct{}{}
	for _, t := range topics {
		set := h.topics[t]
		if set == nil {
			set = map[*Subscription]struct{}{}
			h.topics[t] = set
		}
		set[s] = struct{}{}
	}
	return s
}

// Close stops the subscription's wake-ups.
func (s *Subscription) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.all, s)
	for _, t := range s.topics {
		if set := h.topics[t]; set != nil {
			delete(set, s)
			if len(set) == 0 {
				delete(h.topics, t)
			}
		}
	}
}

// Subscribers is how many subscriptions are open (Follow's not counted).
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for s := range h.all {
		if !s.own {
			n++
		}
	}
	return n
}

// Publish wakes the topics' subscribers here and, through the relay, in
// every other process. Call it only after the change has committed.
func (h *Hub) Publish(topics ...string) {
	if len(topics) == 0 {
		return
	}
	h.wake(topics)
	if h.relay != nil {
		h.relay.send(topics)
	}
}

// wake signals the subscribers of the topics in this process.
func (h *Hub) wake(topics []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range topics {
		for s := range h.topics[t] {
			signal(s)
		}
	}
}

// wakeAll signals every subscriber: after a relay reconnects, wake-ups may
// have been missed, and a re-read is cheap.
func (h *Hub) wakeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.all {
		signal(s)
	}
}

func signal(s *Subscription) {
	select {
	case s.C <- struct{}{}:
	default: // one is pending already
	}
}

// encode and decode a relayed message: the sender, then the topics.
func encode(sender string, topics []string) string {
	return sender + " " + strings.Join(topics, " ")
}

func decode(payload string) (sender string, topics []string) {
	fields := strings.Fields(payload)
	if len(fields) == 0 {
		return "", nil
	}
	return fields[0], fields[1:]
}
