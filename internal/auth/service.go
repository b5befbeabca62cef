package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"bangfu/ent"
	"bangfu/ent/schema"
	"bangfu/ent/session"
	"bangfu/ent/user"
	"bangfu/internal/apperr"
	"bangfu/internal/audit"
	"bangfu/internal/clock"
	"bangfu/internal/live"
	"bangfu/internal/reqid"
	"bangfu/internal/store"
	"bangfu/internal/viewer"

	"golang.org/x/crypto/bcrypt"
)

const bcryptCost = 11

// Errors callers map to UNAUTHENTICATED / BAD_USER_INPUT.
var (
	// ErrBadCredentials answers every failed sign-in alike: unknown email,
	// wrong password, locked out or disabled account. A caller learns
	// nothing about an account it cannot sign in to.
	ErrBadCredentials = errors.New("sign-in failed: wrong email or password, or too many attempts (try again later)")
	ErrBadRefresh     = errors.New("invalid, expired or revoked refresh token")
	// ErrNoSession: the token's account is gone or disabled, or its sign-in
	// was ended (logout, replay detected, account disabled).
	ErrNoSession = errors.New("the sign-in behind this token has ended; sign in again")
)

// Service signs users in and out and resolves viewers.
type Service struct {
	client     *ent.Client
	tokens     *Tokens
	refreshTTL time.Duration
	now        clock.Clock
	throttle   *throttle
	// dummyHash keeps unknown-email sign-ins as slow as real ones.
	dummyHash []byte
	viewers   *viewerCache
}

// New returns the sign-in service.
// Changes to accounts reach its viewer cache through hub, which must be
// the one client's live.Hook publishes to.
func New(client *ent.Client, now clock.Clock, tokens *Tokens, refreshTTL time.Duration, rates Rates, hub *live.Hub) *Service {
	dummy, _ := bcrypt.GenerateFromPassword([]byte("not a real password"), bcryptCost)
	return &Service{client: client, tokens: tokens, refreshTTL: refreshTTL, now: now,
		throttle: newThrottle(client, now, rates), dummyHash: dummy, viewers: newViewerCache(hub)}
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

// Login checks the password and opens a session. Every failure answers
// ErrBadCredentials; the attempt is counted (per email and client
// address, see throttle) before the password is checked.
func (s *Service) Login(ctx context.Context, email, password string) (*Pair, error) {
	ctx = viewer.AsSystem(audit.Within(ctx, "login")) // sign-in bookkeeping is the server's own
	addr := reqid.Client(ctx)
	if err := s.throttle.admit(addr); err != nil {
		return nil, err
	}
	email = strings.ToLower(strings.TrimSpace(email))
	key := throttleKey(email, addr)
	allowed, err := s.throttle.reserve(ctx, key)
	if err != nil {
		return nil, err
	}
	if !allowed {
		return nil, ErrBadCredentials
	}
	u, err := s.client.User.Query().Where(user.Email(email)).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(password))
		return nil, ErrBadCredentials
	case err != nil:
		return nil, err
	}
	if u.PasswordHash == "" || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil ||
		u.Status != user.StatusACTIVE {
		return nil, ErrBadCredentials
	}
	if err := s.throttle.succeeded(ctx, key); err != nil {
		return nil, err
	}
	audit.Attribute(ctx, u.ID) // the person who proved who they are
	var pair *Pair
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		u, err = tx.User.UpdateOne(u).SetLastLoginAt(s.now().UTC()).Save(ctx)
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

// SignUp makes an account with no roles: the person then registers an
// organization or accepts an invitation. It answers alike whether or not
// the email is taken (then nothing is created, and the owner signs in as
// before), so it cannot be used to find accounts; it takes as long either
// way and is rate-limited like sign-in.
func (s *Service) SignUp(ctx context.Context, email, password, displayName string) error {
	ctx = viewer.AsSystem(audit.Within(ctx, "signUp")) // account creation is the server's own
	if err := s.throttle.admit(reqid.Client(ctx)); err != nil {
		return err
	}
	email, err := NormalizeEmail(email)
	if err != nil {
		return apperr.BadInput("email: %v", err)
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(displayName)); n == 0 || n > 64 {
		return apperr.BadInput("displayName is 1 to 64 characters")
	}
	hash, err := HashPassword(password)
	if err != nil {
		return apperr.BadInput("password: %v", err)
	}
	err = store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		u, err := tx.User.Create().SetEmail(email).SetDisplayName(strings.TrimSpace(displayName)).SetPasswordHash(hash).Save(ctx)
		if err != nil {
			return err
		}
		audit.Attribute(ctx, u.ID) // the person signing up
		return nil
	})
	if ent.IsConstraintError(err) {
		return nil // taken: answered like a new account
	}
	return err
}

// Refresh rotates a refresh token. Exactly one of concurrent refreshes of
// one token wins (the rotation is a conditional update); any other, and any
// later presentation of a rotated or revoked token, is a replay: the whole
// sign-in is revoked.
func (s *Service) Refresh(ctx context.Context, token string) (*Pair, error) {
	ctx = viewer.AsSystem(audit.Within(ctx, "refresh"))
	now := s.now().UTC()
	var pair *Pair
	var replay bool
	err := store.WithTx(ctx, s.client, func(tx *ent.Client) error {
		sess, err := tx.Session.Query().Where(session.TokenHash(hashToken(token))).WithUser().Only(ctx)
		if ent.IsNotFound(err) {
			return ErrBadRefresh
		}
		if err != nil {
			return err
		}
		if !now.Before(sess.ExpiresAt) || sess.Edges.User.Status != user.StatusACTIVE {
			return ErrBadRefresh
		}
		audit.Attribute(ctx, sess.UserID) // the holder of the session's token
		rotated, err := tx.Session.Update().Where(session.ID(sess.ID), session.RevokedAtIsNil()).
			SetRevokedAt(now).SetRevokeReason(schema.RevokedRotated).Save(ctx)
		if err != nil {
			return err
		}
		if rotated == 0 {
			replay = true
			return nil
		}
		pair, err = s.open(ctx, tx, sess.Edges.User, sess.Family)
		return err
	})
	if err != nil {
		return nil, err
	}
	if replay {
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
		audit.Attribute(ctx, sess.UserID) // the holder of the session's token
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
	ctx = viewer.AsSystem(audit.Within(ctx, "logout"))
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
	access, exp, err := s.tokens.Issue(u.ID, family)
	if err != nil {
		return nil, err
	}
	return &Pair{AccessToken: access, AccessExpiresAt: exp, RefreshToken: refresh, RefreshExpiresAt: expires, User: u}, nil
}

// Viewer loads who a verified access token speaks for: the user with
// their roles and scopes, provided the account is active and the sign-in
// (session family) the token belongs to is still live, so that logout, a
// detected replay or disabling the account takes effect at once (on other
// replicas, once the change's notification arrives: viewercache.go). A token
// whose account or sign-in is gone is ErrNoSession; any other error is the
// database's.
func (s *Service) Viewer(ctx context.Context, a Access) (*viewer.Viewer, error) {
	key, now := viewerKey{a.UserID, a.SessionFamily}, s.now()
	v, gen := s.viewers.get(key, now)
	if v != nil {
		return v, nil
	}
	v, err := s.loadViewer(ctx, a)
	if err != nil {
		return nil, err
	}
	s.viewers.put(key, v, gen, now)
	return v, nil
}

func (s *Service) loadViewer(ctx context.Context, a Access) (*viewer.Viewer, error) {
	rows, err := s.client.QueryContext(ctx, store.Rebind(s.client.Dialect(), viewerQuery),
		a.UserID, user.StatusACTIVE.String(), a.SessionFamily, s.now().UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	v := &viewer.Viewer{UserID: a.UserID}
	found := false
	var g *viewer.Grant
	lastMembership := int64(-1)
	for rows.Next() {
		found = true
		var (
			membership, org, scopeID sql.NullInt64
			role, orgRegion          sql.NullString
			scopeKind, scopeCode     sql.NullString
		)
		if err := rows.Scan(&membership, &role, &org, &orgRegion, &scopeKind, &scopeID, &scopeCode); err != nil {
			return nil, err
		}
		if !membership.Valid {
			continue // an account with no roles
		}
		if membership.Int64 != lastMembership {
			lastMembership = membership.Int64
			v.Grants = append(v.Grants, viewer.Grant{Role: role.String, OrganizationID: int(org.Int64),
				OrganizationRegionCode: orgRegion.String})
			g = &v.Grants[len(v.Grants)-1]
		}
		switch scopeKind.String {
		case "R":
			g.RegionIDs = append(g.RegionIDs, int(scopeID.Int64))
			g.RegionCodes = append(g.RegionCodes, scopeCode.String)
		case "A":
			g.AgreementIDs = append(g.AgreementIDs, int(scopeID.Int64))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrNoSession
	}
	// Cached viewers serve concurrent requests: no spare capacity that an
	// append could write into behind another's back.
	v.Grants = slices.Clip(v.Grants)
	for i := range v.Grants {
		g := &v.Grants[i]
		g.RegionIDs, g.RegionCodes, g.AgreementIDs = slices.Clip(g.RegionIDs), slices.Clip(g.RegionCodes), slices.Clip(g.AgreementIDs)
	}
	return v, nil
}

// viewerQuery loads a viewer in one statement, since every request runs
// it: the user, provided the account is active and the sign-in live, and
// a row per membership and scope entry (region or agreement), memberships
// in order. No row: no such account or sign-in.
const viewerQuery = `
SELECT m.id, m.role, m.organization_id, orr.code, sc.kind, sc.ref_id, sc.code
FROM users u
LEFT JOIN memberships m ON m.user_id = u.id
LEFT JOIN organizations o ON o.id = m.organization_id
LEFT JOIN regions orr ON orr.id = o.region_id
LEFT JOIN (
	SELECT t.membership_id, 'R' AS kind, t.region_id AS ref_id, g.code AS code
	FROM membership_scope_regions t JOIN regions g ON g.id = t.region_id
	UNION ALL
	SELECT t.membership_id, 'A' AS kind, t.agreement_id AS ref_id, '' AS code
	FROM membership_scope_agreements t
) sc ON sc.membership_id = m.id
WHERE u.id = ? AND u.status = ?
	AND EXISTS (SELECT 1 FROM sessions x WHERE x.user_id = u.id AND x.family = ? AND x.revoked_at IS NULL AND x.expires_at > ?)
ORDER BY m.id, sc.kind, sc.ref_id`

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
