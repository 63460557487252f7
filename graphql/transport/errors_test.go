package transport

import (
	"strings"
	"testing"
	"unicode/utf8"

	gqlerrors "github.com/graph-gophers/graphql-go/errors"

	msgs "taskledger/internal/msg"
)

func TestBoundErrors(t *testing.T) {
	var errs []*gqlerrors.QueryError
	for range 500 {
		qe := &gqlerrors.QueryError{Message: strings.Repeat("字", 2000), Extensions: map[string]any{"code": "INVALID_ARGUMENT"}}
		for i := range 50 {
			qe.Locations = append(qe.Locations, gqlerrors.Location{Line: i, Column: 1})
		}
		errs = append(errs, qe)
	}
	got := boundErrors(errs, msgs.EN)
	if len(got) != MaxErrors {
		t.Fatalf("%d errors", len(got))
	}
	last := got[len(got)-1]
	if last.Message != "481 more errors were left out of this response" || last.Extensions["omitted"] != 481 ||
		last.Extensions["messageCode"] != "api.errors_omitted" || last.Extensions["messageZH"] != "另有 481 条错误未列入本次应答" {
		t.Errorf("last error: %q %v", last.Message, last.Extensions)
	}
	for _, e := range got {
		if len(e.Message) > MaxErrorMessageBytes || !utf8.ValidString(e.Message) || len(e.Locations) > MaxErrorLocations {
			t.Fatalf("an error of %d bytes with %d locations", len(e.Message), len(e.Locations))
		}
	}
	if !strings.HasSuffix(got[0].Message, "…") {
		t.Errorf("a cut message does not say so")
	}
	if len(errs) != 500 || errs[MaxErrors-1].Message == last.Message {
		t.Errorf("the caller's slice was changed")
	}
}
