package graphiql_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bangfu/internal/graphiql"
)

// TestVersionsMatchAssets checks that the committed files are the ones
// refresh.sh recorded: a hand edit of a vendored file shows up here.
func TestVersionsMatchAssets(t *testing.T) {
	f, err := os.Open("VERSIONS")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recorded := map[string]string{}
	packages := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case len(fields) == 3 && strings.HasPrefix(fields[2], "sha512-"):
			packages++
		case len(fields) == 2 && len(fields[0]) == 64:
			recorded[fields[1]] = fields[0]
		default:
			t.Errorf("VERSIONS: unexpected line %q", line)
		}
	}
	if packages != 3 {
		t.Errorf("VERSIONS names %d packages, want 3 (graphiql, react, react-dom)", packages)
	}
	entries, err := os.ReadDir("assets")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(recorded) {
		t.Errorf("assets/ has %d files, VERSIONS records %d", len(entries), len(recorded))
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("assets", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != recorded[e.Name()] {
			t.Errorf("assets/%s: sha256 %s, VERSIONS records %q; run refresh.sh", e.Name(), got, recorded[e.Name()])
		}
	}
}

// TestAssets checks the names and URLs the page uses.
func TestAssets(t *testing.T) {
	ui := graphiql.New("/graphql")
	for _, name := range []string{"graphiql.min.js", "graphiql.min.css", "react.production.min.js",
		"react-dom.production.min.js", "init.js", "page.css"} {
		a, ok := ui.Assets()[name]
		if !ok {
			t.Errorf("no asset %s", name)
			continue
		}
		if !strings.HasPrefix(a.URL, graphiql.Prefix) || !strings.HasSuffix(a.URL, "/"+name) {
			t.Errorf("%s: URL %s", name, a.URL)
		}
		if !strings.HasPrefix(a.Integrity, "sha384-") {
			t.Errorf("%s: integrity %s", name, a.Integrity)
		}
	}
}
