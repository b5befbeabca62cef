package schema

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"

	gen "bangfu/ent"
	"bangfu/ent/exitslackcase"
	"bangfu/ent/predicate"
	"bangfu/ent/privacy"
	"bangfu/internal/scope"
	"bangfu/internal/viewer"
)

// Policies of the evaluation entities (VerificationSample,
// VerificationVisit, ExitSlackCase).

// Policy of the VerificationSample: see evaluationPolicy.
func (VerificationSample) Policy() ent.Policy {
	return evaluationPolicy(func(q gen.Query, p func(*sql.Selector)) {
		q.(*gen.VerificationSampleQuery).Where(p)
	}, func(ctx context.Context, m gen.Mutation) (string, error) {
		sm := m.(*gen.VerificationSampleMutation)
		code, _ := sm.CountyCode()
		return code, nil
	})
}

// Policy of the VerificationVisit: see evaluationPolicy.
func (VerificationVisit) Policy() ent.Policy {
	return evaluationPolicy(func(q gen.Query, p func(*sql.Selector)) {
		q.(*gen.VerificationVisitQuery).Where(p)
	}, func(ctx context.Context, m gen.Mutation) (string, error) {
		code, _ := m.(*gen.VerificationVisitMutation).CountyCode()
		return code, nil
	})
}

// evaluationPolicy: samples and visits are read by auditors, and by the
// evaluators, coordinators and certifiers whose region scope covers the
// county; they are made (never changed) by the evaluators whose scope
// covers the county. Evaluators are independent of the operator, so the
// officials who keep the county's figures read but never record them.
func evaluationPolicy(filter func(gen.Query, func(*sql.Selector)), countyOf func(context.Context, gen.Mutation) (string, error)) ent.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(viewer.Auditor),
		privacy.QueryRuleFunc(func(ctx context.Context, q gen.Query) error {
			prefixes := viewer.FromContext(ctx).ScopePrefixes(viewer.Evaluator, viewer.Coordinator, viewer.Certifier)
			if len(prefixes) == 0 {
				return privacy.Denyf("verification is read by auditors and by the evaluators and officials of the county")
			}
			filter(q, countyCodeUnder("county_code", prefixes))
			return privacy.Allow
		}),
	}, []privacy.MutationRule{
		privacy.OnMutationOperation(privacy.MutationRuleFunc(func(ctx context.Context, m gen.Mutation) error {
			code, err := countyOf(ctx, m)
			if err != nil {
				return err
			}
			if viewer.FromContext(ctx).CoversRegionAs(viewer.Evaluator, code) {
				return privacy.Allow
			}
			return privacy.Denyf("only an EVALUATOR whose scope covers the county samples and visits its households")
		}), ent.OpCreate),
	})
}

// Policy of the ExitSlackCase: read by auditors and evaluators, and by the
// coordinators whose region scope covers the county or whose agreement
// scope holds one of its agreements; those coordinators record the
// interview. Cases are opened by the check (ADMIN or the server).
func (ExitSlackCase) Policy() ent.Policy {
	return policy([]privacy.QueryRule{
		signedIn(), readableBy(viewer.Auditor, viewer.Evaluator),
		privacy.ExitSlackCaseQueryRuleFunc(func(ctx context.Context, q *gen.ExitSlackCaseQuery) error {
			v := viewer.FromContext(ctx)
			if !v.Has(viewer.Coordinator) {
				return privacy.Denyf("exit slack cases are read by auditors, evaluators and the county's coordinators")
			}
			var preds []predicate.ExitSlackCase
			if prefixes := v.ScopePrefixes(viewer.Coordinator); len(prefixes) > 0 {
				preds = append(preds, predicate.ExitSlackCase(countyCodeUnder(exitslackcase.FieldCountyCode, prefixes)))
			}
			if ids := v.AgreementIDs(); len(ids) > 0 {
				preds = append(preds, exitslackcase.HasAgreementsWith(scope.Agreements(ids)))
			}
			if len(preds) == 0 {
				return privacy.Denyf("no region or agreement in the coordinator's scope")
			}
			q.Where(exitslackcase.Or(preds...))
			return privacy.Allow
		}),
	}, []privacy.MutationRule{
		privacy.OnMutationOperation(privacy.ExitSlackCaseMutationRuleFunc(func(ctx context.Context, m *gen.ExitSlackCaseMutation) error {
			v := viewer.FromContext(ctx)
			if !v.Has(viewer.Coordinator) {
				return privacy.Skip
			}
			id, _ := m.ID()
			c, err := m.Client().ExitSlackCase.Query().Where(exitslackcase.ID(id)).Only(viewer.AsSystem(ctx))
			if err != nil {
				return err
			}
			if v.CoversRegionAs(viewer.Coordinator, c.CountyCode) {
				return privacy.Allow
			}
			if ids := v.AgreementIDs(); len(ids) > 0 {
				ok, err := m.Client().ExitSlackCase.Query().Where(exitslackcase.ID(id),
					exitslackcase.HasAgreementsWith(scope.Agreements(ids))).Exist(viewer.AsSystem(ctx))
				if err != nil || ok {
					return orAllow(err)
				}
			}
			return privacy.Denyf("the reminder interview is recorded by the coordinators of the county or of its agreements")
		}), ent.OpUpdateOne),
	})
}
