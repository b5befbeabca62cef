package graph

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoResolverStubs fails when gqlgen's "not implemented" placeholder is
// left in a resolver: a new schema field must come with its resolver.
func TestNoResolverStubs(t *testing.T) {
	files, err := filepath.Glob("*.resolvers.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no resolver files: %v", err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if strings.Contains(line, `panic(fmt.Errorf("not implemented`) {
				t.Errorf("%s:%d: resolver not implemented: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
