package search

import (
	"reflect"
	"testing"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"高山草果", []string{"高山", "山草", "草果"}},
		{"普洱 生茶 357g/饼", []string{"普洱", "生茶", "357g", "饼"}},
		{"Organic TEA, tea", []string{"organic", "tea"}},
		{"草", []string{"草"}},
		{"", nil},
		{"'; DROP TABLE x; --", []string{"drop", "table", "x"}},
	}
	for _, tt := range tests {
		if got := Tokens(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestQuery(t *testing.T) {
	if q := ParseQuery("草果"); q.TSQuery() != "'草果'" {
		t.Errorf("TSQuery = %s", q.TSQuery())
	}
	if q := ParseQuery("高山草果"); q.TSQuery() != "'高山' & '山草' & '草果'" {
		t.Errorf("TSQuery = %s", q.TSQuery())
	}
	if q := ParseQuery("茶"); q.Prefix != "茶" || q.TSQuery() != "'茶':*" {
		t.Errorf("single character = %+v", q)
	}
	if q := ParseQuery("o'brien"); q.TSQuery() != "'o' & 'brien'" {
		t.Errorf("TSQuery = %s", q.TSQuery())
	}
	if !ParseQuery(" ,.! ").Empty() {
		t.Error("punctuation is not a query")
	}
}
