package gid

import (
	"encoding/base64"
	"errors"
	"strconv"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, typ := range Types {
		for _, key := range []int{Start(typ), Start(typ) + 1, Start(typ) + 1<<32 - 1} {
			s, err := Encode(key)
			if err != nil {
				t.Fatalf("Encode(%d): %v", key, err)
			}
			got, gotType, err := Decode(s)
			if err != nil || got != key || gotType != typ {
				t.Fatalf("Decode(Encode(%d)) = %d, %q, %v; want %d, %q", key, got, gotType, err, key, typ)
			}
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	product := Start("Product") + 7
	tests := map[string]string{
		"empty":            "",
		"not base64":       "***",
		"no separator":     "UHJvZHVjdA",                    // "Product"
		"not a number":     "UHJvZHVjdDp4",                  // "Product:x"
		"type mismatch":    mustEncodeRaw("Order", product), // key from the Product block labelled Order
		"unknown type":     mustEncodeRaw("Nope", product),  // unknown label
		"key out of range": mustEncodeRaw("Product", 1<<62), // no such block
		"zero key":         mustEncodeRaw("Region", 0),
	}
	for name, s := range tests {
		t.Run(name, func(t *testing.T) {
			if _, _, err := Decode(s); !errors.Is(err, ErrInvalid) {
				t.Fatalf("Decode(%q) error = %v, want ErrInvalid", s, err)
			}
		})
	}
}

func TestEncodeRejectsKeysOutsideBlocks(t *testing.T) {
	for _, key := range []int{0, -1, 5, (len(Types) + 1) << blockBits} {
		if _, err := Encode(key); err == nil {
			t.Errorf("Encode(%d) succeeded", key)
		}
	}
}

func mustEncodeRaw(typ string, key int) string {
	return rawEncode(typ + ":" + itoa(key))
}
func rawEncode(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
func itoa(i int) string         { return strconv.Itoa(i) }
