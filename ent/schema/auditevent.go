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

// AuditEvent is an append-only, hash-chained record of a change.
type AuditEvent struct{ ent.Schema }

// Fields of the AuditEvent. Nothing here is ever updated.
func (AuditEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Time("occurred_at").Default(nowUTC).Immutable().Annotations(entgql.OrderField("OCCURRED_AT")),
		field.Int("actor_id").Optional().Nillable().Immutable().Comment("User who acted; null for the system."),
		field.Int("organization_id").Optional().Nillable().Immutable().Comment("Organization the actor acted for."),
		field.String("action").NotEmpty().MaxLen(64).Immutable(),
		field.String("entity_type").NotEmpty().MaxLen(64).Immutable(),
		field.Int("entity_id").Optional().Immutable(),
		field.JSON("before", map[string]any{}).Optional().Immutable().
			Annotations(entgql.Type("Map"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)).
			Comment("Changed fields before the change (personal data redacted)."),
		field.JSON("after", map[string]any{}).Optional().Immutable().
			Annotations(entgql.Type("Map"), entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField)).
			Comment("Changed fields after the change (personal data redacted)."),
		field.String("request_id").Optional().MaxLen(64).Immutable(),
		field.String("prev_hash").Optional().MaxLen(64).Immutable().Comment("Hash of the previous event."),
		field.String("hash").NotEmpty().MaxLen(64).Immutable().Comment("SHA-256 over this event and prev_hash."),
	}
}

// Indexes of the AuditEvent.
func (AuditEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("entity_type", "entity_id"),
		index.Fields("actor_id"),
		index.Fields("occurred_at"),
	}
}

// Annotations of the AuditEvent.
func (AuditEvent) Annotations() []schema.Annotation {
	return node("AuditEvent", "An append-only, hash-chained audit event (审计日志): who changed what, before and after, when.",
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
