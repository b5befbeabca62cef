package sequential_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"bangfu/graph/sequential"
)

// MarshalSlice keeps gqlgen's contract: every element in order with its
// index in the field context, and a panicking element turns the list into
// null with the panic recorded as an error (unless the handler is omitted).
func TestMarshalSlice(t *testing.T) {
	t.Parallel()
	words := []string{"草果", "核桃", "普洱茶"}
	for _, tc := range []struct {
		name      string
		panicAt   int // -1: none
		wantJSON  string
		wantNil   bool
		wantError bool
	}{
		{name: "in order, with indexes", panicAt: -1, wantJSON: `["0:草果","1:核桃","2:普洱茶"]`},
		{name: "a panic makes the list null", panicAt: 1, wantNil: true, wantError: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
			ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{}})
			got := sequential.MarshalSlice(ctx, len(words), 0, false, func(ctx context.Context, i int) graphql.Marshaler {
				if i == tc.panicAt {
					panic("boom")
				}
				fc := graphql.GetFieldContext(ctx)
				if fc.Index == nil || *fc.Index != i {
					t.Errorf("element %d: field context index %v", i, fc.Index)
				}
				return graphql.WriterFunc(func(w io.Writer) {
					graphql.MarshalString(string(rune('0'+i)) + ":" + words[i]).MarshalGQL(w)
				})
			})
			if (got == nil) != tc.wantNil {
				t.Fatalf("result nil = %v, want %v", got == nil, tc.wantNil)
			}
			if !tc.wantNil {
				var b bytes.Buffer
				got.MarshalGQL(&b)
				if b.String() != tc.wantJSON {
					t.Errorf("marshalled %s, want %s", b.String(), tc.wantJSON)
				}
			}
			if errs := graphql.GetErrors(ctx); (len(errs) > 0) != tc.wantError {
				t.Errorf("errors %v, want some: %v", errs, tc.wantError)
			}
		})
	}
}
