// Package pii handles personal data: masking for viewers outside a
// household's county, and the keyed hash that lets ID numbers be looked up
// without searching a plain column.
package pii

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"unicode/utf8"
)

var (
	mu  sync.RWMutex
	key = []byte("bangfu-development-pii-key") // replaced at start-up in production
)

// SetKey installs the secret for ID-number hashes. Production must set it
// from configuration before any data is written; changing it orphans the
// hashes already stored.
func SetKey(k []byte) {
	mu.Lock()
	defer mu.Unlock()
	key = append([]byte(nil), k...)
}

// NormalizeIDNumber trims spaces and upper-cases the check character x.
func NormalizeIDNumber(id string) string {
	return strings.ToUpper(strings.TrimSpace(id))
}

// HashIDNumber is HMAC-SHA256 of the normalized ID number, hex encoded.
func HashIDNumber(id string) string {
	mu.RLock()
	m := hmac.New(sha256.New, key)
	mu.RUnlock()
	m.Write([]byte(NormalizeIDNumber(id)))
	return hex.EncodeToString(m.Sum(nil))
}

// MaskName keeps the first character: 张三丰 → 张**.
func MaskName(name string) string {
	if name == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(name)
	return string(r) + strings.Repeat("*", utf8.RuneCountInString(name[size:]))
}

// MaskIDNumber keeps the first four and last four characters:
// 510102199001011234 → 5101**********1234.
func MaskIDNumber(id string) string {
	return maskMiddle(id, 4, 4)
}

// MaskPhone keeps the first three and last four digits: 138****1234.
func MaskPhone(phone string) string {
	return maskMiddle(phone, 3, 4)
}

func maskMiddle(s string, head, tail int) string {
	if s == "" {
		return ""
	}
	if len(s) <= head+tail {
		return strings.Repeat("*", len(s))
	}
	return s[:head] + strings.Repeat("*", len(s)-head-tail) + s[len(s)-tail:]
}
