package translog

import (
	"encoding/json"
	"fmt"
	"time"

	"bangfu/ent"
	"bangfu/ent/logleaf"
)

// The leaf encodings. A leaf is one line naming its kind and version,
// then the record as JSON with its keys in a fixed (sorted) order, times
// in UTC RFC 3339 with microseconds, money as integer fen, absent values
// omitted. A verifier recomputes tlog.RecordHash over these bytes.
const (
	EventPrefix  = "bangfu audit_event v1\n"
	LedgerPrefix = "bangfu ledger_entry v1\n"
)

// EventLeaf is the leaf encoding of an audit event.
func EventLeaf(e *ent.AuditEvent) ([]byte, error) {
	m := map[string]any{
		"id": e.ID, "occurred_at": stamp(e.OccurredAt), "action": e.Action, "entity_type": e.EntityType,
		"entity_id": e.EntityID,
	}
	if e.Hash != "" { // events from before the log, hash-chained
		m["hash"] = e.Hash
	}
	put(m, "actor_id", e.ActorID)
	put(m, "organization_id", e.OrganizationID)
	if e.Job != "" {
		m["job"] = e.Job
	}
	if e.RequestID != "" {
		m["request_id"] = e.RequestID
	}
	if e.Before != nil {
		m["before"] = e.Before
	}
	if e.After != nil {
		m["after"] = e.After
	}
	if e.Changes != nil {
		m["changes"] = e.Changes
	}
	if e.Ledger != nil {
		m["ledger"] = e.Ledger
	}
	return encode(EventPrefix, m)
}

// LedgerLeaf is the leaf encoding of a ledger entry.
func LedgerLeaf(l *ent.LedgerEntry) ([]byte, error) {
	m := map[string]any{
		"id": l.ID, "kind": l.Kind.String(), "amount": l.Amount, "year": l.Year, "occurred_at": stamp(l.OccurredAt),
	}
	if l.Indicator != nil {
		m["indicator"] = l.Indicator.String()
	}
	put(m, "month", l.Month)
	put(m, "order_line_id", l.OrderLineID)
	put(m, "agreement_id", l.AgreementID)
	put(m, "origin_county_id", l.OriginCountyID)
	put(m, "household_id", l.HouseholdID)
	put(m, "organization_id", l.OrganizationID)
	put(m, "reverses_id", l.ReversesID)
	put(m, "incentive_rule_id", l.IncentiveRuleID)
	put(m, "flag_id", l.FlagID)
	if l.Note != "" {
		m["note"] = l.Note
	}
	return encode(LedgerPrefix, m)
}

// Leaf is a leaf's source as a verifier receives it: its kind and bytes.
type Leaf struct {
	Index int64        `json:"index"`
	Kind  logleaf.Kind `json:"kind"`
	RefID int          `json:"refId"`
	Data  []byte       `json:"data"`
}

func put(m map[string]any, key string, v *int) {
	if v != nil {
		m[key] = *v
	}
}

func stamp(t time.Time) string { return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano) }

// encode writes the prefix and the JSON (encoding/json sorts map keys).
func encode(prefix string, m map[string]any) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode leaf: %w", err)
	}
	return append([]byte(prefix), b...), nil
}
