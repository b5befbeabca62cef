package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ExitSlackCase records that an exited county's assistance fell sharply
// year on year (摘帽不摘责任, DOMAIN rule 15) and the reminder interview
// (约谈) it calls for. The figures it compared are kept on it.
type ExitSlackCase struct{ ent.Schema }

// Mixin of the ExitSlackCase.
func (ExitSlackCase) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, AuditMixin{}} }

// Fields of the ExitSlackCase.
func (ExitSlackCase) Fields() []ent.Field {
	return []ent.Field{
		field.Int("county_id").Immutable(),
		field.String("county_code").MaxLen(6).Immutable(),
		field.Int("year").Immutable().Comment("The year whose assistance fell."),
		field.Time("as_of").Immutable().Comment("The moment compared: the year's figures as they stood then, against the previous year's a year earlier."),
		field.Int64("previous_purchases_fen").Annotations(entgql.Type("Int64")).Immutable().
			Comment("Credited purchases of the county's products in the previous year, as of the same date a year earlier (fen; each line once)."),
		field.Int64("current_purchases_fen").Annotations(entgql.Type("Int64")).Immutable().
			Comment("Credited purchases of the county's products this year, as of as_of (fen)."),
		field.Int64("previous_funds_fen").Annotations(entgql.Type("Int64")).Immutable().
			Comment("Approved reported funds (FUNDS_INVESTED, FUNDS_INTRODUCED) of the agreements helping the county, previous year, as of the same date (fen)."),
		field.Int64("current_funds_fen").Annotations(entgql.Type("Int64")).Immutable().
			Comment("The same this year, as of as_of (fen)."),
		field.Int("threshold_bp").Immutable().Comment("The fall (in basis points of the previous figure) beyond which a county is flagged."),
		field.String("reason").MaxLen(1000).Immutable().Comment("Which figure fell and by how much."),
		field.Enum("status").Values("OPEN", "INTERVIEWED").Default("OPEN").
			Comment("OPEN: a reminder interview (约谈) is due; INTERVIEWED: it was held and its outcome recorded."),
		field.Time("interviewed_at").Optional().Nillable().Comment("When the reminder interview was held."),
		field.String("interview_outcome").Optional().MaxLen(2000).Comment("What the interview concluded (整改措施, commitments)."),
		field.Int("interviewed_by_id").Optional().Nillable().Comment("The coordinator who recorded the interview."),
	}
}

// Edges of the ExitSlackCase.
func (ExitSlackCase) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("county", Region.Type).Field("county_id").Unique().Required().Immutable(),
		edge.To("agreements", Agreement.Type).
			Annotations(entgql.RelayConnection()).
			Comment("The agreements helping the county, called to the interview."),
		edge.To("interviewed_by", User.Type).Field("interviewed_by_id").Unique(),
	}
}

// Indexes of the ExitSlackCase: one case per county and year, so the
// daily check raises each once.
func (ExitSlackCase) Indexes() []ent.Index {
	return []ent.Index{index.Fields("county_id", "year").Unique(), index.Fields("status")}
}

// Annotations of the ExitSlackCase.
func (ExitSlackCase) Annotations() []schema.Annotation {
	return node("ExitSlackCase", "An exited county whose assistance fell sharply year on year, called to a reminder interview (摘帽不摘责任, 约谈).",
		entgql.QueryField())
}
