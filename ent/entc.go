//go:build ignore

// entc.go generates the ent client and the entgql GraphQL schema. It runs
// from the repository root (see generate.go there).
package main

import (
	"encoding/json"
	"log"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
	entschema "entgo.io/ent/schema"
	"github.com/vektah/gqlparser/v2/ast"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithSchemaGenerator(),
		entgql.WithWhereInputs(true),
		entgql.WithConfigPath("./gqlgen.yml"),
		entgql.WithSchemaPath("./graph/ent.graphql"),
		entgql.WithNodeDescriptor(false),
		entgql.WithSchemaHook(describeTypes),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	if err := entc.Generate("./ent/schema", &gen.Config{
		Target:  "./ent",
		Package: "bangfu/ent",
		// Only the features the code uses: ExecQuery (ExecContext/QueryContext
		// in auth, translog, store), Upsert (OnConflict in attribution,
		// agreements, monitoring) and Privacy (the policies). Lock and Intercept
		// went unused and only made the ent package, the slowest to compile,
		// larger.
		Features: []gen.Feature{gen.FeatureVersionedMigration, gen.FeatureExecQuery, gen.FeatureUpsert, gen.FeaturePrivacy},
	}, entc.Extensions(ex), entc.TemplateFiles("./ent/template/dialect.tmpl", "./ent/template/txkey.tmpl", "./ent/template/joined.tmpl")); err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}

// describeTypes copies each schema's schema.Comment annotation into the
// GraphQL type description, so clients see the domain terms in GraphiQL.
func describeTypes(g *gen.Graph, s *ast.Schema) error {
	key := (&entschema.CommentAnnotation{}).Name()
	for _, n := range g.Nodes {
		raw, ok := n.Annotations[key]
		if !ok {
			continue
		}
		var ant entschema.CommentAnnotation
		b, err := json.Marshal(raw)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &ant); err != nil {
			return err
		}
		if def, ok := s.Types[n.Name]; ok {
			def.Description = ant.Text
		}
	}
	if def, ok := s.Types["Int64"]; ok {
		def.Description = "A 64-bit signed integer: money in fen (分) and other large counts. " +
			"Serialized as a JSON number, exact up to 2^53 in JavaScript clients."
	}
	if def, ok := s.Types["Time"]; ok {
		def.Description = "A point in time: RFC 3339 in UTC on the wire, e.g. 2025-06-30T08:00:00Z."
	}
	return nil
}
