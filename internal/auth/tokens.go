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

// Issue signs an access token for the user.
func (t *Tokens) Issue(userID int) (string, time.Time, error) {
	now := t.now().UTC()
	exp := now.Add(t.ttl)
	var jti [12]byte
	_, _ = rand.Read(jti[:])
	claims := jwt.RegisteredClaims{
		Issuer:    t.issuer,
		Subject:   strconv.Itoa(userID),
		Audience:  jwt.ClaimStrings{t.audience},
		ExpiresAt: jwt.NewNumericDate(exp),
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ID:        hex.EncodeToString(jti[:]),
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.key)
	return s, exp, err
}

// ErrInvalidToken covers every reason a token is refused.
var ErrInvalidToken = errors.New("invalid or expired access token")

// Verify checks the token and returns the user it was issued to.
func (t *Tokens) Verify(token string) (int, error) {
	var claims jwt.RegisteredClaims
	parsed, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return t.key, nil },
		jwt.WithValidMethods([]string{tokenAlgorithm}),
		jwt.WithIssuer(t.issuer),
		jwt.WithAudience(t.audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(t.leeway),
		jwt.WithTimeFunc(t.now),
	)
	if err != nil || !parsed.Valid {
		return 0, ErrInvalidToken
	}
	id, err := strconv.Atoi(claims.Subject)
	if err != nil || id <= 0 {
		return 0, ErrInvalidToken
	}
	return id, nil
}
