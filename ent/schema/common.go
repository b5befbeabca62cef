// Package schema defines bangfu's domain graph (see shared DOMAIN.md).
// Field comments become GraphQL descriptions, so they carry the Chinese
// terms users know.
package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"

	"bangfu/internal/audit"
	"bangfu/internal/gid"
)

// nowUTC is the default for every timestamp: storage is always UTC.

// nowUTC is the default for every timestamp: storage is always UTC.
func nowUTC() time.Time { return time.Now().UTC() }

// TimeMixin adds creation and last-update timestamps.
type TimeMixin struct{ mixin.Schema }

// Fields of the TimeMixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").Default(nowUTC).Immutable().
			Comment("When the record was created (UTC).").
			Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("updated_at").Default(nowUTC).UpdateDefault(nowUTC).
			Comment("When the record was last changed (UTC).").
			Annotations(entgql.OrderField("UPDATED_AT")),
	}
}

// AuditMixin records every change of the type in the audit trail
// (internal/audit) in the same transaction. Running totals that the ledger
// hook derives from audited entries (CreditTotal, PurchaseTotal) and the
// audit events themselves do not carry it.
type AuditMixin struct{ mixin.Schema }

// Hooks of the AuditMixin.
func (AuditMixin) Hooks() []ent.Hook { return []ent.Hook{audit.Hook} }

// node returns the annotations every GraphQL-visible entity shares: its own
// global-ID key block, a Relay connection, and a type description.
func node(typ, description string, extra ...schema.Annotation) []schema.Annotation {
	return append([]schema.Annotation{
		entsql.IncrementStart(gid.Start(typ)),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		schema.Comment(description),
	}, extra...)
}

// money is a non-negative amount in fen (分); floats never hold money.
func money(name, comment string) ent.Field {
	return field.Int64(name).Annotations(entgql.Type("Int64")).NonNegative().Default(0).Comment(comment + " In fen (分).")
}

// indicators are the agreement indicators (指标) from the published rules.
var indicators = []string{
	"DIRECT_PURCHASE", "HELP_SELL", "FUNDS_INVESTED", "FUNDS_INTRODUCED",
	"CADRES_TRAINED", "TECHNICIANS_TRAINED", "LABOR_TRANSFERRED",
}

const indicatorComment = "DIRECT_PURCHASE 直接采购 (fen), HELP_SELL 帮助销售 (fen), FUNDS_INVESTED 投入帮扶资金 (fen), " +
	"FUNDS_INTRODUCED 引进帮扶资金 (fen), CADRES_TRAINED 培训干部 (people), TECHNICIANS_TRAINED 培训技术人员 (people), LABOR_TRANSFERRED 劳务协作 (jobs)."

// povertyCauses are the official causes of poverty (致贫原因).
var povertyCauses = []string{
	"ILLNESS", "DISABILITY", "SCHOOLING", "DISASTER", "LACK_OF_LAND", "LACK_OF_WATER",
	"LACK_OF_SKILLS", "LACK_OF_LABOR", "LACK_OF_FUNDS", "POOR_TRANSPORT", "LACK_OF_MOTIVATION", "OTHER",
}

const causeComment = "致贫原因: ILLNESS 因病, DISABILITY 因残, SCHOOLING 因学, DISASTER 因灾, LACK_OF_LAND 缺土地, " +
	"LACK_OF_WATER 缺水, LACK_OF_SKILLS 缺技术, LACK_OF_LABOR 缺劳力, LACK_OF_FUNDS 缺资金, " +
	"POOR_TRANSPORT 交通条件落后, LACK_OF_MOTIVATION 自身发展动力不足, OTHER 其他."
