package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// JobRun claims one run of a scheduled job for one period (the monitoring
// scan for a day, say) across every server replica: the replica whose
// insert wins runs the job; the others find the claim and skip.
type JobRun struct{ ent.Schema }

// Fields of the JobRun.
func (JobRun) Fields() []ent.Field {
	return []ent.Field{
		field.String("job").NotEmpty().MaxLen(64).Immutable(),
		field.String("period").NotEmpty().MaxLen(32).Immutable().Comment("The period the run covers, e.g. 2026-12-06 (China Standard Time)."),
		field.String("instance").MaxLen(128).Comment("The server replica that claimed the run (or took it over)."),
		field.Time("started_at").Default(nowUTC).Comment("When the run was claimed (or taken over)."),
		field.Time("finished_at").Optional().Nillable(),
		field.String("outcome").Optional().MaxLen(500).Comment("What the run did, or why it failed."),
	}
}

// Indexes of the JobRun: one run per job and period.
func (JobRun) Indexes() []ent.Index {
	return []ent.Index{index.Fields("job", "period").Unique()}
}

// Annotations of the JobRun.
func (JobRun) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Policy of the JobRun: the server's own bookkeeping.
func (JobRun) Policy() ent.Policy { return systemOnly() }
