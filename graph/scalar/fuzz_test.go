package scalar

import (
	"bytes"
	"encoding/json"
	"math/big"
	"testing"
	"time"

	"bangfu/internal/gid"
)

// decode turns fuzz bytes into what a variable can be: a JSON value, as the
// transport decodes it (numbers as json.Number), or the raw string.
func decode(data []byte) any {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return string(data)
	}
	return v
}

// FuzzID: no input panics; an accepted ID is a key of a known type that
// encodes back to the same wire form.
func FuzzID(f *testing.F) {
	f.Add([]byte(`"UHJvZHVjdDo0Mjk0OTY3Mjk2Nw"`))
	f.Add([]byte(`"WHl6OjE"`))
	f.Add([]byte(`12`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v := decode(data)
		id, err := UnmarshalID(v)
		if err != nil {
			return
		}
		if _, ok := gid.TypeOf(id); !ok {
			t.Fatalf("accepted %q as key %d of no type", data, id)
		}
		s, err := gid.Encode(id)
		if err != nil || s != v {
			t.Fatalf("%q → %d → %q (%v)", data, id, s, err)
		}
	})
}

// FuzzCursor: no input panics.
func FuzzCursor(f *testing.F) {
	f.Add([]byte(`"gaFp0wAAAAEAAAAB"`))
	f.Add([]byte(`"garbage"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = UnmarshalCursor(decode(data))
	})
}

// FuzzInt64: no input panics; an accepted amount is exactly the whole
// number sent (never a rounded fraction).
func FuzzInt64(f *testing.F) {
	for _, s := range []string{`12`, `12.5`, `-9223372036854775808`, `9223372036854775808`, `1e3`, `"12"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v := decode(data)
		n, err := UnmarshalInt64(v)
		if err != nil {
			return
		}
		if num, ok := v.(json.Number); ok {
			want, exact := new(big.Int).SetString(string(num), 10)
			if !exact || want.Cmp(big.NewInt(n)) != 0 {
				t.Fatalf("%q accepted as %d", data, n)
			}
		}
	})
}

// FuzzTime: no input panics; an accepted time is UTC.
func FuzzTime(f *testing.F) {
	for _, s := range []string{`"2025-06-30T08:00:00Z"`, `"2025-06-30T16:00:00+08:00"`, `"yesterday"`, `"2025-13-40T99:00:00Z"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tm, err := UnmarshalTime(decode(data))
		if err == nil && tm.Location() != time.UTC {
			t.Fatalf("%q accepted in %v", data, tm.Location())
		}
	})
}
