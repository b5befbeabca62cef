package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"bangfu/ent"
	"bangfu/ent/session"
	"bangfu/ent/user"
	"bangfu/internal/clock"
	"bangfu/internal/store"
	"bangfu/internal/viewer"

	"golang.org/x/crypto/bcrypt"
)

// Sign-in throttling: after maxFailures consecutive failures an account is
// locked, for lockBase doubling with each further failure, up to lockMax.
const (
	maxFailures = 5
	lockBase    = 30 * time.Second
	lockMax     = 15 * time.Minute
	bcryptCost  = 11
)

// Errors callers map to UNAUTHENTICATED / BAD_USER_INPUT.
var (
	ErrBadCredentials = errors.New("wrong email or password")
	ErrBadRefresh     = errors.New("invalid, expired or revoked refresh token")
	ErrDisabled       = errors.New("account disabled")
)

// LockedError says when sign-in may be tried again.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return fmt.Sprintf("too many failed sign-ins; try again after %s", e.Until.UTC().Format(time.RFC3339))
}

// Service signs users in and out and resolves viewers.
type Service struct {
	client     *ent.Client
	tokens     *Tokens
	refreshTTL time.Duration
	now        clock.Clock
	// dummyHash keeps unknown-email sign-ins as slow as real ones.
	dummyHash []byte
}

// New returns the sign-in service.
func New(client *ent.Client, now clock.Clock, tokens *Tokens, refreshTTL time.Duration) *Service {
	dummy, _ := bcrypt.GenerateFromPassword([]byte("not a real password"), bcryptCost)
	return &Service{client: client, tokens: tokens, refreshTTL: refreshTTL, now: now, dummyHash: dummy}
}

// Tokens returns the access-token service.
func (s *Service) Tokens() *Tokens { return s.tokens }

// Pair is what a successful sign-in or refresh returns.
type Pair struct {
	AccessToken      string
	AccessExpiresAt  time.Time
	RefreshToken     string
	RefreshExpiresAt time.Time
	User             *ent.User
}

// HashPassword checks the password policy and hashes with bcrypt.
func HashPassword(pw string) (string, error) {
	if utf8.RuneCountInString(pw) < 10 {
		return "", errors.New("password must have at least 10 characters")
	}
	if len(pw) > 72 {
		return "", errors.New("password must be at most 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcryptCost)
	return string(h), err
}

// NormalizeEmail validates and lower-cases an address.
func NormalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email {
		return "", errors.New("not a valid email address")
	}
	return email, nil
}

// Login checks the password and opens a session.
func (s *Service) Login(ctx context.Context, email, password string) (*Pair, error) {
	ctx = viewer.AsSystem(ctx)
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil, ErrBadCredentials
	}
	u, err := s.client.User.Query().Where(user.Email(email)).Only(ctx)
	if ent.IsNotFound(err) {
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(password))
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	if u.LockedUntil != nil && now.Before(*u.LockedUntil) {
		return nil, &LockedError{Until: *u.LockedUntil}
	}
	if u.PasswordHash == "" || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return nil, s.recordFailure(ctx, u, now)
	}
	if u.Status != user.StatusACTIVE {
		return nil, ErrDisabled
	}
	var pair *Pair
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		u, err = tx.User.UpdateOne(u).SetFailedLogins(0).ClearLockedUntil().SetLastLoginAt(now).Save(ctx)
		if err != nil {
			return err
		}
		pair, err = s.open(ctx, tx, u, newFamily())
		return err
	})
	if err != nil {
		return nil, err
	}
	pair.User = pair.User.Unwrap()
	return pair, nil
}

// recordFailure counts a failed sign-in, in its own transaction so the
// count survives the failed request, and locks the account when due.
func (s *Service) recordFailure(ctx context.Context, u *ent.User, now time.Time) error {
	failures := u.FailedLogins + 1
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		upd := tx.User.UpdateOneID(u.ID).SetFailedLogins(failures)
		if failures >= maxFailures {
			lock := lockBase << min(failures-maxFailures, 10)
			upd.SetLockedUntil(now.Add(min(lock, lockMax)))
		}
		return upd.Exec(ctx)
	})
	if err != nil {
		return err
	}
	return ErrBadCredentials
}

// Refresh rotates a refresh token. Presenting an already rotated or
// revoked token revokes its whole family: someone replayed it.
func (s *Service) Refresh(ctx context.Context, token string) (*Pair, error) {
	ctx = viewer.AsSystem(ctx)
	now := s.now().UTC()
	var pair *Pair
	var reuse bool
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		sess, err := tx.Session.Query().Where(session.TokenHash(hashToken(token))).WithUser().Only(ctx)
		if ent.IsNotFound(err) {
			return ErrBadRefresh
		}
		if err != nil {
			return err
		}
		if sess.RevokedAt != nil {
			reuse = true
			return nil
		}
		if !now.Before(sess.ExpiresAt) || sess.Edges.User.Status != user.StatusACTIVE {
			return ErrBadRefresh
		}
		if err := tx.Session.UpdateOne(sess).SetRevokedAt(now).SetRevokeReason("rotated").Exec(ctx); err != nil {
			return err
		}
		pair, err = s.open(ctx, tx, sess.Edges.User, sess.Family)
		return err
	})
	if err != nil {
		return nil, err
	}
	if reuse {
		// Committed on its own: the revocation must stick although the
		// request fails.
		if err := s.revokeFamily(ctx, token, "reuse detected"); err != nil {
			return nil, err
		}
		return nil, ErrBadRefresh
	}
	pair.User = pair.User.Unwrap()
	return pair, nil
}

func (s *Service) revokeFamily(ctx context.Context, token, reason string) error {
	return store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		sess, err := tx.Session.Query().Where(session.TokenHash(hashToken(token))).Only(ctx)
		if err != nil {
			return err
		}
		return tx.Session.Update().
			Where(session.Family(sess.Family), session.RevokedAtIsNil()).
			SetRevokedAt(s.now().UTC()).SetRevokeReason(reason).Exec(ctx)
	})
}

// RevokeAll signs the user out everywhere, inside the caller's transaction.
func (s *Service) RevokeAll(ctx context.Context, tx *ent.Client, userID int) error {
	return tx.Session.Update().Where(session.UserID(userID), session.RevokedAtIsNil()).
		SetRevokedAt(s.now().UTC()).SetRevokeReason("disabled").Exec(viewer.AsSystem(ctx))
}

// Logout revokes the session family of the refresh token. Unknown tokens
// are not an error: the caller is signed out either way.
func (s *Service) Logout(ctx context.Context, token string) error {
	ctx = viewer.AsSystem(ctx)
	err := s.revokeFamily(ctx, token, "logout")
	if ent.IsNotFound(err) {
		return nil
	}
	return err
}

func (s *Service) open(ctx context.Context, tx *ent.Client, u *ent.User, family string) (*Pair, error) {
	refresh := randomToken()
	expires := s.now().UTC().Add(s.refreshTTL)
	if err := tx.Session.Create().SetUserID(u.ID).SetTokenHash(hashToken(refresh)).
		SetFamily(family).SetExpiresAt(expires).Exec(ctx); err != nil {
		return nil, err
	}
	access, exp, err := s.tokens.Issue(u.ID)
	if err != nil {
		return nil, err
	}
	return &Pair{AccessToken: access, AccessExpiresAt: exp, RefreshToken: refresh, RefreshExpiresAt: expires, User: u}, nil
}

// Viewer loads the user's roles and scopes for one request.
func (s *Service) Viewer(ctx context.Context, userID int) (*viewer.Viewer, error) {
	u, err := s.client.User.Query().Where(user.ID(userID)).
		WithMemberships(func(q *ent.MembershipQuery) {
			q.WithScopeRegions().WithScopeAgreements()
		}).Only(viewer.AsSystem(ctx))
	if err != nil {
		return nil, err
	}
	if u.Status != user.StatusACTIVE {
		return nil, ErrDisabled
	}
	v := &viewer.Viewer{UserID: u.ID}
	for _, m := range u.Edges.Memberships {
		g := viewer.Grant{Role: m.Role.String()}
		if m.OrganizationID != nil {
			g.OrganizationID = *m.OrganizationID
		}
		for _, r := range m.Edges.ScopeRegions {
			g.RegionIDs = append(g.RegionIDs, r.ID)
			g.RegionCodes = append(g.RegionCodes, r.Code)
		}
		for _, a := range m.Edges.ScopeAgreements {
			g.AgreementIDs = append(g.AgreementIDs, a.ID)
		}
		v.Grants = append(v.Grants, g)
	}
	return v, nil
}

func newFamily() string { return randomToken()[:32] }

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}
