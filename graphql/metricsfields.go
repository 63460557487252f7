package graphql

import (
	gql "github.com/graph-gophers/graphql-go"
	"github.com/graph-gophers/graphql-go/ast"
)

// rootFieldsOf returns the names of the schema's query, mutation and
// subscription fields.
func rootFieldsOf(schema *gql.Schema) map[string]bool {
	out := map[string]bool{}
	for _, t := range schema.ASTSchema().RootOperationTypes {
		obj, ok := t.(*ast.ObjectTypeDefinition)
		if !ok {
			continue
		}
		for _, f := range obj.Fields {
			out[f.Name] = true
		}
	}
	return out
}
