// Package auth signs users in: passwords (bcrypt), short-lived access
// tokens (JWT, HS256 only), rotating refresh tokens stored as hashes, and
// the viewer each request runs as.
package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Token settings. The algorithm is pinned: a token naming any other
// algorithm (including "none") is rejected before its signature is read.
const (
	tokenAlgorithm = "HS256"
	MinKeyBytes    = 32
)

// Tokens issues and verifies access tokens.
type Tokens struct {
	key      []byte
	issuer   string
	audience string
	ttl      time.Duration
	leeway   time.Duration
	now      func() time.Time
}

// NewTokens returns a token service; the key must have at least 32 bytes.
func NewTokens(key []byte, issuer, audience string, ttl time.Duration) (*Tokens, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("signing key must have at least %d bytes, got %d", MinKeyBytes, len(key))
	}
	return &Tokens{key: key, issuer: issuer, audience: audience, ttl: ttl, leeway: 30 * time.Second, now: time.Now}, nil
}

// RandomKey makes a signing key for demo runs.
func RandomKey() []byte {
	k := make([]byte, MinKeyBytes)
	_, _ = rand.Read(k)
	return k
}

// claims are an access token's: the registered ones and the sign-in
// (session family) it belongs to, so that a token dies with its sign-in.
type claims struct {
	jwt.RegisteredClaims
	SessionFamily string `json:"sid"`
}

// Access is what a verified access token says.
type Access struct {
	UserID        int
	SessionFamily string
	// Expires is when the token stops being valid: a long-lived
	// connection (a subscription) authenticated with it ends then.
	Expires time.Time
}

// Issue signs an access token for the user's sign-in (session family).
func (t *Tokens) Issue(userID int, family string) (string, time.Time, error) {
	now := t.now().UTC()
	exp := now.Add(t.ttl)
	var jti [12]byte
	_, _ = rand.Read(jti[:])
	registered := jwt.RegisteredClaims{
		Issuer:    t.issuer,
		Subject:   strconv.Itoa(userID),
		Audience:  jwt.ClaimStrings{t.audience},
		ExpiresAt: jwt.NewNumericDate(exp),
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ID:        hex.EncodeToString(jti[:]),
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{registered, family}).SignedString(t.key)
	return s, exp, err
}

// ErrInvalidToken covers every reason a token is refused.
var ErrInvalidToken = errors.New("invalid or expired access token")

// Verify checks the token and returns the user and sign-in it was issued
// to. Whether that sign-in is still live is the caller's to check.
func (t *Tokens) Verify(token string) (Access, error) {
	var c claims
	parsed, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.key, nil },
		jwt.WithValidMethods([]string{tokenAlgorithm}),
		jwt.WithIssuer(t.issuer),
		jwt.WithAudience(t.audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(t.leeway),
		jwt.WithTimeFunc(t.now),
	)
	if err != nil || !parsed.Valid || c.SessionFamily == "" {
		return Access{}, ErrInvalidToken
	}
	id, err := strconv.Atoi(c.Subject)
	if err != nil || id <= 0 {
		return Access{}, ErrInvalidToken
	}
	return Access{UserID: id, SessionFamily: c.SessionFamily, Expires: c.ExpiresAt.Time}, nil
}
