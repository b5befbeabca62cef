// Package gid implements bangfu's opaque global IDs.
//
// Every ent type owns a block of 2^32 integer primary keys (its table's
// auto-increment starts at Start(type)), so a raw key alone tells which type
// it belongs to. On the wire the key travels as base64url("Type:key"): opaque
// to clients, self-describing for the server, and checked on the way in so a
// Product ID can never be passed where an Order ID is expected.
package gid

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// blockBits is the width of each type's key block.
const blockBits = 32

// Types lists every node type in block order. Append only: reordering would
// change the meaning of stored keys.
var Types = []string{
	"Region",
	"Organization",
	"SupplierProfile",
	"BuyerProfile",
	"Agreement",
	"Target",
	"Household",
	"HouseholdMember",
	"AnnualIncome",
	"BenefitLink",
	"Product",
	"Certification",
	"Order",
	"OrderLine",
	"LedgerEntry",
	"IncentiveRule",
	"Award",
	"MonitoringCase",
	"ProgressReport",
	"User",
	"Membership",
	"AuditEvent",
	"Session",
	"StockAdjustment",
	"Pairing",
	"CreditTotal",
	"PurchaseTotal",
	"Assessment",
	"MonitoringThreshold",
	"SignInThrottle",
	"OrderRequest",
	"Invitation",
	"Facilitation",
	"Flag",
	"IndicatorSetting",
	"ProductSales",
	"VerificationSample",
	"VerificationVisit",
	"ExitSlackCase",
}

var blockOf = func() map[string]int {
	m := make(map[string]int, len(Types))
	for i, t := range Types {
		m[t] = i + 1
	}
	return m
}()

// ErrInvalid is returned for IDs that are not well-formed bangfu IDs.
var ErrInvalid = errors.New("invalid ID")

// Start is the first key of typ's block; it panics on an unknown type
// because that is a programming error caught at generation time.
func Start(typ string) int {
	b, ok := blockOf[typ]
	if !ok {
		panic("gid: unknown type " + typ)
	}
	return b << blockBits
}

// TypeOf returns the type owning key id.
func TypeOf(id int) (string, bool) {
	b := id >> blockBits
	if id <= 0 || b < 1 || b > len(Types) {
		return "", false
	}
	return Types[b-1], true
}

// Encode turns a raw key into its opaque wire form.
func Encode(id int) (string, error) {
	typ, ok := TypeOf(id)
	if !ok {
		return "", fmt.Errorf("%w: key %d has no type", ErrInvalid, id)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + strconv.Itoa(id))), nil
}

// Decode parses an opaque ID and returns its raw key and type.
func Decode(s string) (int, string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, "", fmt.Errorf("%w %q", ErrInvalid, s)
	}
	typ, num, ok := strings.Cut(string(raw), ":")
	if !ok {
		return 0, "", fmt.Errorf("%w %q", ErrInvalid, s)
	}
	id, err := strconv.Atoi(num)
	if err != nil {
		return 0, "", fmt.Errorf("%w %q", ErrInvalid, s)
	}
	if got, ok := TypeOf(id); !ok || got != typ {
		return 0, "", fmt.Errorf("%w %q", ErrInvalid, s)
	}
	return id, typ, nil
}

// Ref is the wire form of id for messages ("?" for a key of no type), so
// that an error names a thing the way the client knows it.
func Ref(id int) string {
	s, err := Encode(id)
	if err != nil {
		return "?"
	}
	return s
}
