package graph

import (
	"context"
	"errors"

	"bangfu/ent"
	"bangfu/graph/gqlerr"
	"bangfu/graph/model"
	"bangfu/internal/auth"
	"bangfu/internal/households"
)

// authError turns sign-in failures into UNAUTHENTICATED without saying
// which part was wrong.
func authError(err error) error {
	if errors.Is(err, auth.ErrBadCredentials) || errors.Is(err, auth.ErrBadRefresh) {
		return gqlerr.New(gqlerr.Unauthenticated, err.Error())
	}
	return err
}

func payload(p *auth.Pair) *model.AuthPayload {
	return &model.AuthPayload{
		AccessToken: p.AccessToken, AccessTokenExpiresAt: p.AccessExpiresAt,
		RefreshToken: p.RefreshToken, RefreshTokenExpiresAt: p.RefreshExpiresAt,
		User: p.User,
	}
}

// maskedIf returns a member's personal value in clear only to viewers whose
// scope covers the household's county; everyone else gets the mask.
func maskedIf(ctx context.Context, m *ent.HouseholdMember, value string, mask func(string) string) *string {
	if value == "" {
		return nil
	}
	shown := households.Masked(ctx, m.CountyCode, value, mask)
	return &shown
}
