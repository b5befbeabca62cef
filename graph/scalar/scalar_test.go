package scalar

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestUnmarshalInt64(t *testing.T) {
	tests := []struct {
		in   any
		want int64
		ok   bool
	}{
		{json.Number("1250"), 1250, true},
		{json.Number("12.5"), 0, false},
		{json.Number("9223372036854775807"), 1<<63 - 1, true},
		{int64(7), 7, true},
		{12.0, 12, true},
		{12.5, 0, false},
		{"100", 0, false},
		{nil, 0, false},
	}
	for _, tt := range tests {
		got, err := UnmarshalInt64(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("UnmarshalInt64(%#v) = %d, %v; want %d ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestTimeIsUTCOnTheWire(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	var buf bytes.Buffer
	MarshalTime(time.Date(2025, 6, 30, 16, 0, 0, 0, shanghai)).MarshalGQL(&buf)
	if buf.String() != `"2025-06-30T08:00:00Z"` {
		t.Fatalf("MarshalTime = %s", buf.String())
	}
	got, err := UnmarshalTime("2025-06-30T16:00:00+08:00")
	if err != nil || got.Location() != time.UTC || got.Hour() != 8 {
		t.Fatalf("UnmarshalTime = %v, %v", got, err)
	}
	if _, err := UnmarshalTime("2025-06-30"); err == nil {
		t.Fatal("date without time accepted")
	}
}
