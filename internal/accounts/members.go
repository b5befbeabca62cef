package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"bangfu/ent"
	"bangfu/ent/invitation"
	"bangfu/ent/membership"
	"bangfu/ent/user"
	"bangfu/internal/apperr"
	"bangfu/internal/auth"
	"bangfu/internal/gid"
	"bangfu/internal/store"
	"bangfu/internal/viewer"
)

// InvitationTTL is how long an invitation token is valid.
const InvitationTTL = 7 * 24 * time.Hour

// Invite invites a person (by email) into the organization in a role; the
// Invitation policy lets only its managers. It returns the invitation and
// its single-use token, which is stored only as a hash: hand it to the
// invitee.
func (s *Service) Invite(ctx context.Context, orgID int, email string, role invitation.Role) (*ent.Invitation, string, error) {
	email, err := auth.NormalizeEmail(email)
	if err != nil {
		return nil, "", apperr.BadInput("email: %v", err)
	}
	if invitation.RoleValidator(role) != nil {
		return nil, "", apperr.BadInput("role must be BUYER, SUPPLIER or ORG_MANAGER")
	}
	token := randomToken()
	var out *ent.Invitation
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		var err error
		out, err = tx.Invitation.Create().SetOrganizationID(orgID).SetEmail(email).SetRole(role).
			SetTokenHash(hashToken(token)).SetExpiresAt(s.now().Add(InvitationTTL)).
			SetInvitedByID(viewer.FromContext(ctx).UserID).Save(ctx)
		if ent.IsConstraintError(err) {
			return apperr.BadInput("organizationId: no such organization")
		}
		if err != nil {
			return err
		}
		// Members are invited into an organization that is verified.
		return Active(ctx, tx, orgID, "organization")
	})
	if err != nil {
		return nil, "", err
	}
	return out.Unwrap(), token, nil
}

// AcceptInvitation makes the signed-in user a member as invited. The token
// decides: it must be unused, unrevoked, unexpired and for the user's own
// email. Unknown and used tokens are answered alike.
func (s *Service) AcceptInvitation(ctx context.Context, token string) (*ent.Membership, error) {
	v := viewer.FromContext(ctx)
	if v.UserID == 0 {
		return nil, apperr.Unauthenticated("sign in as the invited person to accept")
	}
	sys := viewer.AsSystem(ctx) // the token, not a row policy, decides here
	now := s.now()
	var out *ent.Membership
	err := store.WithTx(sys, s.client, func(tx *ent.Client) error {
		inv, err := tx.Invitation.Query().Where(invitation.TokenHash(hashToken(token))).Only(sys)
		if ent.IsNotFound(err) {
			return apperr.BadInput("the invitation is unknown, used, revoked or expired")
		}
		if err != nil {
			return err
		}
		u, err := tx.User.Get(sys, v.UserID)
		if err != nil {
			return err
		}
		if u.Email != inv.Email {
			return apperr.Forbidden("the invitation is for another email address")
		}
		// Claiming the invitation is one conditional update: a token works once.
		n, err := tx.Invitation.Update().Where(invitation.ID(inv.ID), invitation.AcceptedAtIsNil(),
			invitation.RevokedAtIsNil(), invitation.ExpiresAtGT(now)).
			SetAcceptedAt(now).SetAcceptedByID(u.ID).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.BadInput("the invitation is unknown, used, revoked or expired")
		}
		if err := Active(sys, tx, inv.OrganizationID, "organization"); err != nil {
			return err
		}
		dup, err := tx.Membership.Query().Where(membership.UserID(u.ID), membership.OrganizationID(inv.OrganizationID),
			membership.RoleEQ(membership.Role(inv.Role))).Exist(sys)
		if err != nil {
			return err
		}
		if dup {
			return apperr.Conflict("you hold that role in the organization already")
		}
		out, err = tx.Membership.Create().SetUserID(u.ID).SetOrganizationID(inv.OrganizationID).
			SetRole(membership.Role(inv.Role)).SetInvitedByID(inv.InvitedByID).Save(sys)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// RevokeInvitation withdraws an invitation not yet accepted (its managers).
func (s *Service) RevokeInvitation(ctx context.Context, id int) (*ent.Invitation, error) {
	var out *ent.Invitation
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		if _, err := tx.Invitation.Get(ctx, id); ent.IsNotFound(err) {
			return apperr.NotFound("invitation %s not found", gid.Ref(id))
		} else if err != nil {
			return err
		}
		var err error
		out, err = tx.Invitation.UpdateOneID(id).Where(invitation.AcceptedAtIsNil(), invitation.RevokedAtIsNil()).
			SetRevokedAt(s.now()).Save(ctx)
		if ent.IsNotFound(err) {
			return apperr.Conflict("the invitation was accepted or revoked already")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// RemoveMember ends a membership in an organization (the Membership
// policy: its managers). The last manager stays: an organization always
// has one.
func (s *Service) RemoveMember(ctx context.Context, membershipID int) error {
	return store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		m, err := tx.Membership.Get(ctx, membershipID)
		if ent.IsNotFound(err) {
			return apperr.NotFound("membership %s not found", gid.Ref(membershipID))
		}
		if err != nil {
			return err
		}
		if m.OrganizationID == nil {
			return apperr.Forbidden("official roles are revoked by ADMIN (revokeRole)")
		}
		if err := tx.Membership.DeleteOneID(m.ID).Exec(ctx); err != nil {
			return err
		}
		if m.Role != membership.RoleORG_MANAGER {
			return nil
		}
		left, err := tx.Membership.Query().Where(membership.OrganizationID(*m.OrganizationID),
			membership.RoleEQ(membership.RoleORG_MANAGER)).Exist(viewer.AsSystem(ctx))
		if err != nil {
			return err
		}
		if !left {
			return apperr.Conflict("an organization keeps at least one manager; invite another first")
		}
		return nil
	})
}

// GrantInput grants a role (ADMIN, by policy).
type GrantInput struct {
	UserID         int
	Role           membership.Role
	OrganizationID *int
	RegionIDs      []int
	AgreementIDs   []int
}

// Grant records a role.
func (s *Service) Grant(ctx context.Context, in GrantInput) (*ent.Membership, error) {
	if membership.RoleValidator(in.Role) != nil {
		return nil, apperr.BadInput("unknown role %q", in.Role)
	}
	var out *ent.Membership
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		var err error
		out, err = tx.Membership.Create().SetUserID(in.UserID).SetRole(in.Role).
			SetNillableOrganizationID(in.OrganizationID).
			AddScopeRegionIDs(in.RegionIDs...).AddScopeAgreementIDs(in.AgreementIDs...).Save(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Unwrap(), nil
}

// Revoke removes any role (ADMIN, by policy).
func (s *Service) Revoke(ctx context.Context, membershipID int) error {
	return store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		return tx.Membership.DeleteOneID(membershipID).Exec(ctx)
	})
}

// CreateUser makes an account with a password (ADMIN, by policy).
func (s *Service) CreateUser(ctx context.Context, email, displayName, password string) (*ent.User, error) {
	email, err := auth.NormalizeEmail(email)
	if err != nil {
		return nil, apperr.BadInput("email: %v", err)
	}
	if err := checkDisplayName(displayName); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, apperr.BadInput("password: %v", err)
	}
	var u *ent.User
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		u, err = tx.User.Create().SetEmail(email).SetDisplayName(strings.TrimSpace(displayName)).SetPasswordHash(hash).Save(ctx)
		if ent.IsConstraintError(err) {
			return apperr.Conflict("an account with that email exists")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return u.Unwrap(), nil
}

func checkDisplayName(name string) error {
	if n := len([]rune(strings.TrimSpace(name))); n == 0 || n > 64 {
		return apperr.BadInput("displayName is 1 to 64 characters")
	}
	return nil
}

// SetUserStatus enables or disables an account (ADMIN, by policy).
// Disabling signs the user out everywhere, in the same transaction.
func (s *Service) SetUserStatus(ctx context.Context, userID int, status user.Status) (*ent.User, error) {
	var u *ent.User
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		var err error
		if u, err = tx.User.UpdateOneID(userID).SetStatus(status).Save(ctx); err != nil {
			return err
		}
		if status == user.StatusDISABLED {
			return s.auth.RevokeAll(ctx, tx, userID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u.Unwrap(), nil
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// CreateAdmin makes the first administrator of a fresh deployment (the
// server's create-admin command): an account and its ADMIN role, in one
// transaction, as the system.
func (s *Service) CreateAdmin(ctx context.Context, email, displayName, password string) (*ent.User, error) {
	email, err := auth.NormalizeEmail(email)
	if err != nil {
		return nil, apperr.BadInput("email: %v", err)
	}
	if err := checkDisplayName(displayName); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, apperr.BadInput("password: %v", err)
	}
	sys := viewer.AsSystem(ctx)
	var u *ent.User
	err = store.WithTx(sys, s.client, func(tx *ent.Client) error {
		u, err = tx.User.Create().SetEmail(email).SetDisplayName(strings.TrimSpace(displayName)).SetPasswordHash(hash).Save(sys)
		if ent.IsConstraintError(err) {
			return apperr.Conflict("an account with that email exists")
		}
		if err != nil {
			return err
		}
		return tx.Membership.Create().SetUser(u).SetRole(membership.RoleADMIN).Exec(sys)
	})
	if err != nil {
		return nil, err
	}
	return u.Unwrap(), nil
}
