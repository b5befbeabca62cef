package graph

import (
	"bangfu/ent"
	"bangfu/graph/generated"
	"bangfu/graph/limits"
	"bangfu/graph/model"
	"bangfu/internal/accounts"
	"bangfu/internal/agreements"
	"bangfu/internal/app"
	"bangfu/internal/auth"
	"bangfu/internal/catalog"
	"bangfu/internal/evaluation"
	"bangfu/internal/households"
	"bangfu/internal/incentives"
	"bangfu/internal/integrity"
	"bangfu/internal/live"
	"bangfu/internal/market"
	"bangfu/internal/monitoring"
	"bangfu/internal/translog"

	"github.com/99designs/gqlgen/graphql"
)

// Resolver is the root resolver; it holds the dependencies every resolver
// shares. Authorization and domain rules live in ent (schemas, hooks,
// privacy policies) and the services, never here.
type Resolver struct {
	client     *ent.Client
	auth       *auth.Service
	accounts   *accounts.Service
	households *households.Service
	market     *market.Service
	search     *catalog.Searcher
	agreements *agreements.Service
	incentives *incentives.Service
	monitoring *monitoring.Service
	integrity  *integrity.Service
	evaluation *evaluation.Service
	log        *translog.Log
	live       *live.Hub
}

// NewSchema builds the executable schema over the services.
func NewSchema(s *app.Services) graphql.ExecutableSchema {
	return limits.Weigh(generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{
		client: s.Client, auth: s.Auth, accounts: s.Accounts, households: s.Households, market: s.Market, search: s.Catalog,
		agreements: s.Agreements, incentives: s.Incentives, monitoring: s.Monitoring, integrity: s.Integrity, log: s.Log, live: s.Live,
		evaluation: s.Evaluation,
	}}))
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func targetInputs(in []*model.AgreementTargetInput) []agreements.TargetInput {
	out := make([]agreements.TargetInput, 0, len(in))
	for _, t := range in {
		out = append(out, agreements.TargetInput{Indicator: t.Indicator, Year: t.Year, Value: t.TargetValue})
	}
	return out
}

func ruleInput(in model.IncentiveRuleInput) incentives.RuleInput {
	bp := func(p *int) int {
		if p == nil {
			return 10_000
		}
		return *p
	}
	return incentives.RuleInput{Name: in.Name, PointsPerYuanMilli: in.PointsPerYuanMilli,
		KeyCountyMultiplierBp: bp(in.KeyCountyMultiplierBp), County832MultiplierBp: bp(in.County832MultiplierBp),
		MultiplierBp: bp(in.MultiplierBp), Category: in.Category, CapPerOrgPerYear: in.CapPerOrgPerYear,
		EffectiveFrom: in.EffectiveFrom, EffectiveUntil: in.EffectiveUntil}
}

func settingInput(in model.SetIntegrityIndicatorInput) integrity.SettingInput {
	out := integrity.SettingInput{Code: in.Code, Enabled: in.Enabled, FenceMultiplier: in.FenceMultiplier, MinSample: in.MinSample}
	if len(in.Params) > 0 {
		out.Params = map[string]float64{}
		for _, p := range in.Params {
			out.Params[p.Name] = p.Value
		}
	}
	return out
}
