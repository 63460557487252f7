package graphql

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"taskledger/graphql/schemacheck"
)

// updateSDL rewrites the released SDL with the current schema:
// go test ./graphql -run TestSchemaChangesAnnounced -update-sdl (after
// recording the breaking changes in docs/graphql-changes.md).
var updateSDL = flag.Bool("update-sdl", false, "rewrite graphql/testdata/schema.released.graphql with the current schema")

const (
	releasedSDL  = "testdata/schema.released.graphql"
	changesDoc   = "../docs/graphql-changes.md"
	changesWhere = "docs/graphql-changes.md"
)

// TestSchemaChangesAnnounced compares the schema with the released SDL
// (graphql/testdata/schema.released.graphql): every change that can
// break a client — a type, field, argument or enum value removed, a type
// changed, a required argument added — must be announced in
// docs/graphql-changes.md by its coordinate (`Type.field`).
func TestSchemaChangesAnnounced(t *testing.T) {
	if *updateSDL {
		if err := os.WriteFile(releasedSDL, []byte(Schema()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := loadSDL(t, releasedSDL)
	cur, err := schemacheck.Load("schema.graphql", Schema())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(changesDoc)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range schemacheck.Breaking(old, cur) {
		if !strings.Contains(string(doc), "`"+c.Coordinate+"`") {
			t.Errorf("unannounced breaking change %s: record `%s` in %s, or keep the old field (deprecated)", c, c.Coordinate, changesWhere)
		}
	}
}

func loadSDL(t *testing.T, path string) *ast.Schema {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := schemacheck.Load(path, string(b))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSchemaDescribed walks the schema: every type, field, argument,
// input field and enum value has a description (GraphiQL and generated
// clients show them).
func TestSchemaDescribed(t *testing.T) {
	s, err := schemacheck.Load("schema.graphql", Schema())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range schemacheck.Undescribed(s) {
		t.Errorf("%s has no description", c)
	}
}
