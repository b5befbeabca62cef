package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func TestVerifyRejectsForgedAndStaleTokens(t *testing.T) {
	tokens, err := NewTokens(testKey, "bangfu", "bangfu-api", 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	claimsWith := func(mod func(*jwt.RegisteredClaims)) claims {
		c := claims{RegisteredClaims: jwt.RegisteredClaims{
			Issuer: "bangfu", Subject: "42", Audience: jwt.ClaimStrings{"bangfu-api"},
			ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)), IssuedAt: jwt.NewNumericDate(now),
		}, SessionFamily: "family-1"}
		if mod != nil {
			mod(&c.RegisteredClaims)
		}
		return c
	}
	hs := func(c claims, key []byte) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, claimsWith(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	rs, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, claimsWith(nil)).SignedString(rsaKey)
	hs512, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, claimsWith(nil)).SignedString(testKey)

	good := hs(claimsWith(nil), testKey)
	if a, err := tokens.Verify(good); err != nil || a.UserID != 42 || a.SessionFamily != "family-1" {
		t.Fatalf("valid token: %+v, %v", a, err)
	}
	noSession := claimsWith(nil)
	noSession.SessionFamily = ""
	tests := map[string]string{
		"alg none":             none,
		"RS256":                rs,
		"HS512 (not pinned)":   hs512,
		"wrong key":            hs(claimsWith(nil), []byte("another-key-another-key-another-k")),
		"wrong issuer":         hs(claimsWith(func(c *jwt.RegisteredClaims) { c.Issuer = "evil" }), testKey),
		"wrong audience":       hs(claimsWith(func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"other"} }), testKey),
		"expired":              hs(claimsWith(func(c *jwt.RegisteredClaims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Minute)) }), testKey),
		"no expiry":            hs(claimsWith(func(c *jwt.RegisteredClaims) { c.ExpiresAt = nil }), testKey),
		"issued in the future": hs(claimsWith(func(c *jwt.RegisteredClaims) { c.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour)) }), testKey),
		"non-numeric subject":  hs(claimsWith(func(c *jwt.RegisteredClaims) { c.Subject = "admin" }), testKey),
		"tampered payload":     good[:len(good)-4] + "AAAA",
		"garbage":              "not.a.jwt",
		"no sign-in (sid)":     hs(noSession, testKey),
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := tokens.Verify(tok); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestLeewayToleratesSmallClockSkew(t *testing.T) {
	tokens, _ := NewTokens(testKey, "bangfu", "bangfu-api", time.Minute)
	tok, _, err := tokens.Issue(7, "family-7")
	if err != nil {
		t.Fatal(err)
	}
	tokens.now = func() time.Time { return time.Now().Add(time.Minute + 10*time.Second) }
	if _, err := tokens.Verify(tok); err != nil {
		t.Fatalf("10s past expiry within 30s leeway: %v", err)
	}
	tokens.now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	if _, err := tokens.Verify(tok); err == nil {
		t.Fatal("a minute past expiry accepted")
	}
}

func TestShortKeysRefused(t *testing.T) {
	if _, err := NewTokens([]byte("short"), "i", "a", time.Minute); err == nil {
		t.Fatal("short key accepted")
	}
}
