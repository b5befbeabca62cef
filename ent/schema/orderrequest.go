package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"bangfu/internal/gid"
)

// OrderRequest claims a buyer's idempotency key once, before anything is
// placed: a cart that spans suppliers becomes several orders, and the one
// claim makes the whole placement happen once, however many times (and
// however concurrently) it is sent. Written by internal/market.
type OrderRequest struct{ ent.Schema }

// Mixin of the OrderRequest: claims are audited with the orders they make.
func (OrderRequest) Mixin() []ent.Mixin { return []ent.Mixin{AuditMixin{}} }

// Fields of the OrderRequest.
func (OrderRequest) Fields() []ent.Field {
	return []ent.Field{
		field.Int("buyer_id").Immutable(),
		field.String("idempotency_key").Immutable().NotEmpty().MaxLen(128),
		field.String("request_hash").Immutable().MaxLen(64).Comment("SHA-256 of the cart, to tell a retry from a different cart."),
		field.Time("created_at").Default(nowUTC).Immutable(),
	}
}

// Edges of the OrderRequest.
func (OrderRequest) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("buyer", Organization.Type).Field("buyer_id").Unique().Required().Immutable(),
	}
}

// Indexes of the OrderRequest.
func (OrderRequest) Indexes() []ent.Index {
	return []ent.Index{index.Fields("buyer_id", "idempotency_key").Unique()}
}

// Annotations of the OrderRequest.
func (OrderRequest) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entsql.IncrementStart(gid.Start("OrderRequest")),
		entgql.Skip(entgql.SkipAll),
	}
}

// Policy of the OrderRequest: written by the marketplace as the system,
// after the Order policy has let the caller buy for the organization.
func (OrderRequest) Policy() ent.Policy { return policy(nil, nil) }
