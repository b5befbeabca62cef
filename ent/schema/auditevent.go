package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"bangfu/ent/privacy"
	"bangfu/internal/viewer"
)

// AuditEvent is an append-only record of one domain operation (a mutation,
// an import, a scheduled job): who did it, and every row it changed. The
// transparency log (internal/translog) seals each one into its Merkle tree.
type AuditEvent struct{ ent.Schema }

// Fields of the AuditEvent. Nothing here is ever updated.
func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Time("occurred_at").Default(nowUTC).Immutable().Annotations(entgql.OrderField("OCCURRED_AT")),
		field.Int("actor_id").Optional().Nillable().Immutable().Comment("The person who acted; null when a job did (see job)."),
		field.String("job").Optional().MaxLen(64).Immutable().
			Comment("The scheduled job or command that acted when no person did (e.g. monitoring-scan, seed)."),
		field.Int("organization_id").Optional().Nillable().Immutable().Comment("Organization the actor acted for."),
		field.String("action").NotEmpty().MaxLen(64).Immutable().
			Comment("The operation: a mutation's name (placeOrder), an import, a job."),
		field.String("entity_type").NotEmpty().MaxLen(64).Immutable().Comment("Type of the first row the operation changed."),
		field.Int("entity_id").Optional().Immutable().Comment("Id of the first row the operation changed."),
		field.JSON("before", map[string]any{}).Optional().Immutable().
			Annotations(entgql.Type("Map"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)).
			Comment("Events written before operations were recorded whole: changed fields before the change."),
		field.JSON("after", map[string]any{}).Optional().Immutable().
			Annotations(entgql.Type("Map"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)).
			Comment("Events written before operations were recorded whole: changed fields after the change."),
		field.JSON("changes", []map[string]any{}).Optional().Immutable().
			Annotations(entgql.Type("[Map!]"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)).
			Comment("Every row the operation changed other than ledger entries: type, id, op, and the changed fields before and after (personal data redacted)."),
		field.JSON("ledger", map[string]any{}).Optional().Immutable().
			Annotations(entgql.Type("Map"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)).
			Comment("The ledger entries the operation booked, by kind: count, sum and ids."),
		field.String("request_id").Optional().MaxLen(64).Immutable(),
		field.String("prev_hash").Optional().MaxLen(64).Immutable().
			Comment("Hash of the previous event, from when events were hash-chained; empty since the transparency log (/log) replaced the chain."),
		field.String("hash").Optional().MaxLen(64).Immutable().
			Comment("SHA-256 of the event's content, in events from before the transparency log (/log) replaced the hash chain; absent since: the log's leaf covers the content."),
		commitOrder(),
	}
}

// Indexes of the AuditEvent.
func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("entity_type", "entity_id"),
		index.Fields("actor_id"),
		index.Fields("occurred_at"),
		index.Fields("xid"),
	}
}

// Annotations of the AuditEvent.
func (AuditEvent) Annotations() []schema.Annotation {
	return node("AuditEvent", "An append-only audit event (审计日志), one per operation, sealed into the transparency log: who did what, which rows changed (before and after) and which ledger entries were booked.",
		entgql.QueryField("auditEvents"))
}

// Policy of the AuditEvent: auditors and admins read; only the server
// appends; nobody, admins included, edits or deletes.
func (AuditEvent) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			signedIn(), readableBy(viewer.Auditor, viewer.Admin),
			privacy.ContextQueryMutationRule(func(ctx context.Context) error {
				if viewer.FromContext(ctx).IsSystem() {
					return privacy.Allow
				}
				return privacy.Denyf("only auditors read the audit trail")
			}),
		},
		Mutation: privacy.MutationPolicy{
			privacy.OnMutationOperation(privacy.ContextQueryMutationRule(func(ctx context.Context) error {
				if viewer.FromContext(ctx).IsSystem() {
					return privacy.Allow
				}
				return privacy.Skip
			}), ent.OpCreate),
			privacy.AlwaysDenyRule(),
		},
	}
}
