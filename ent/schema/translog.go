package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"bangfu/internal/store/bytea"
)

// commitOrder is the field a row of the transparency log's sources
// (audit events, ledger entries) carries so that the sealer can take rows
// in an order no late commit can break: on PostgreSQL the id of the
// transaction that wrote it, filled in by the database; SQLite runs one
// writer at a time, so there the row ids are already in commit order.
func commitOrder() ent.Field {
	return field.Int64("xid").Optional().Nillable().Immutable().
		Comment("PostgreSQL transaction that wrote the row (pg_current_xact_id); the log's sealer orders by it.").
		Annotations(entgql.Skip(entgql.SkipAll),
			entsql.DefaultExprs(map[string]string{dialect.Postgres: "(pg_current_xact_id()::text)::bigint"}))
}

// LogLeaf is one record of the transparency log (internal/translog): an
// audit event or a ledger entry, in the order it was sealed. Its index is
// its position in the Merkle tree.
type LogLeaf struct{ ent.Schema }

// Fields of the LogLeaf.
func (LogLeaf) Fields() []ent.Field {
	return []ent.Field{
		field.Int64("id").Immutable().Comment("Leaf index, from 0."),
		field.Enum("kind").Values("AUDIT_EVENT", "LEDGER_ENTRY").Immutable(),
		field.Int("ref_id").Immutable().Comment("The audit event's or ledger entry's id."),
		field.Int64("xid").Optional().Nillable().Immutable(),
		field.Bytes("hash").GoType(bytea.Bytes{}).Immutable().Comment("tlog.RecordHash of the leaf's encoding."),
		field.Time("sealed_at").Default(nowUTC).Immutable().Comment("When the leaf was sealed (its round's time)."),
	}
}

// Indexes of the LogLeaf.
func (LogLeaf) Indexes() []ent.Index {
	return []ent.Index{index.Fields("kind", "ref_id").Unique()}
}

// Annotations of the LogLeaf.
func (LogLeaf) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll), entsql.Annotation{Table: "log_leaves"}}
}

// Policy of the LogLeaf: written by the sealer; read through /log.
func (LogLeaf) Policy() ent.Policy { return systemOnly() }

// LogHash is one stored hash of the Merkle tree, at its
// tlog.StoredHashIndex.
type LogHash struct{ ent.Schema }

// Fields of the LogHash.
func (LogHash) Fields() []ent.Field {
	return []ent.Field{
		field.Int64("id").Immutable().Comment("tlog stored-hash index."),
		field.Bytes("hash").GoType(bytea.Bytes{}).Immutable(),
	}
}

// Annotations of the LogHash.
func (LogHash) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Policy of the LogHash: the sealer's.
func (LogHash) Policy() ent.Policy { return systemOnly() }

// LogCheckpoint is a signed tree head: the log's size and root hash,
// signed with the log's key, as published at /log/checkpoint.
type LogCheckpoint struct{ ent.Schema }

// Fields of the LogCheckpoint.
func (LogCheckpoint) Fields() []ent.Field {
	return []ent.Field{
		field.Int64("id").Immutable().Comment("The tree size it signs."),
		field.Bytes("root_hash").GoType(bytea.Bytes{}).Immutable(),
		field.Text("note").Comment("The signed note (golang.org/x/mod/sumdb/note), re-signed as time passes."),
		field.Time("signed_at").Default(nowUTC),
	}
}

// Annotations of the LogCheckpoint.
func (LogCheckpoint) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Policy of the LogCheckpoint: the sealer's.
func (LogCheckpoint) Policy() ent.Policy { return systemOnly() }
