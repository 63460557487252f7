package graphql

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"taskledger/app"
)

// mutationInputs are the application layer's inputs each mutation
// translates its input into.
var mutationInputs = map[string]any{
	"importPlan":             app.ImportInput{},
	"assignResponsibility":   app.AssignInput{},
	"withdrawResponsibility": app.WithdrawInput{},
	"reportProgress":         app.ReportInput{},
	"requestExtension":       app.ExtensionRequestInput{},
	"decideExtension":        app.ExtensionDecisionInput{},
	"claimCompletion":        app.ClaimInput{},
	"verifyCompletion":       app.ClaimDecisionInput{},
	"rejectCompletion":       app.ClaimDecisionInput{},
	"recordFinding":          app.FindingInput{},
	"recordIndicator":        app.IndicatorInput{},
	"adoptScheme":            app.SchemeInput{},
	"publishScorecard":       app.PublishInput{},
	"sendBack":               app.SendBackInput{},
	"postComment":            app.CommentInput{},
	"signOffPart":            app.SignOffInput{},
	"reportRectification":    app.RectificationInput{},
	"verifyRectification":    app.RectificationInput{},
	"rejectRectification":    app.RectificationInput{},
	"moveRectificationDue":   app.RectificationDueInput{},
	"fileAppeal":             app.AppealInput{},
	"ruleAppeal":             app.RulingInput{},
	"scheduleMilestone":      app.ScheduleInput{},
	"rescheduleMilestone":    app.RescheduleInput{},
	"reassignResponsibility": app.ReassignInput{},
	"renameUnit":             app.RenameInput{},
	"mergeUnits":             app.MergeInput{},
	"issueBulletin":          app.BulletinInput{},
	"splitUnit":              app.SplitInput{},
}

// notGiven are the fields of an application input a mutation never sets
// (other doors use them), so no refusal of that mutation can name them.
var notGiven = map[string][]string{
	"importPlan":          {"trackingFrom", "noRegistry"},
	"recordIndicator":     {"plan"},
	"verifyRectification": {"attachments"},
	"rejectRectification": {"attachments"},
}

// lowerCamel is a Go field's name as the application layer names it in
// Error.Field: "SHA256" → "sha256", "TrackingFrom" → "trackingFrom".
func lowerCamel(name string) string {
	if strings.IndexFunc(name, unicode.IsLower) < 0 {
		return strings.ToLower(name)
	}
	r := []rune(name)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// appPaths lists the paths of every field of an application input type:
// a field of the app's own struct types (ObligationRef, EvidenceHandle,
// SplitPart) by its parts, a list's element by its index ("0").
func appPaths(t reflect.Type, prefix []string) [][]string {
	var out [][]string
	for i := range t.NumField() {
		f := t.Field(i)
		path := append(slices.Clip(prefix), lowerCamel(f.Name))
		out = append(out, path)
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct && ft.Elem().PkgPath() == t.PkgPath() {
			out = append(out, appPaths(ft.Elem(), append(slices.Clip(path), "0"))...)
		}
		if ft.Kind() == reflect.Struct && ft.PkgPath() == t.PkgPath() {
			out = append(out, appPaths(ft, path)...)
		}
	}
	return out
}

// loadSchema reads the API's schema with gqlparser.
func loadSchema(t *testing.T) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: Schema()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// inputFieldExists reports whether path (from "input") names a field of
// mutation's input: each name a field of the input object reached so
// far, a number an element of a list.
func inputFieldExists(s *ast.Schema, mutation string, path []string) bool {
	m := s.Mutation.Fields.ForName(mutation)
	if m == nil || len(path) == 0 {
		return false
	}
	arg := m.Arguments.ForName(path[0])
	if arg == nil {
		return false
	}
	typ := arg.Type
	for _, part := range path[1:] {
		if _, err := strconv.Atoi(part); err == nil {
			if typ.Elem == nil {
				return false
			}
			typ = typ.Elem
			continue
		}
		def := s.Types[typ.Name()]
		if def == nil || def.Kind != ast.InputObject || typ.Elem != nil {
			return false
		}
		f := def.Fields.ForName(part)
		if f == nil {
			return false
		}
		typ = f.Type
	}
	return true
}

// Every path a mutation can answer in UserError.field, as the adapter
// shows it (inputPath over the application input's field names), is a
// field of the mutation's input type; every mutation is covered, and every
// renaming renames a field the application input has.
func TestUserErrorFieldsExistInInputTypes(t *testing.T) {
	s := loadSchema(t)
	for _, f := range s.Mutation.Fields {
		if _, ok := mutationInputs[f.Name]; !ok && !strings.HasPrefix(f.Name, "__") {
			t.Errorf("mutation %s: no application input listed for it", f.Name)
		}
	}
	for mutation, in := range mutationInputs {
		paths := appPaths(reflect.TypeOf(in), nil)
		for _, p := range paths {
			if slices.Contains(notGiven[mutation], p[0]) {
				continue
			}
			if shown := inputPath(mutation, p); !inputFieldExists(s, mutation, shown) {
				t.Errorf("%s: the app's field %v is shown as %v, which its input type does not have", mutation, p, shown)
			}
		}
		for from := range inputNames[mutation] {
			if !slices.ContainsFunc(paths, func(p []string) bool { return p[0] == from }) {
				t.Errorf("%s: inputNames renames %q, which %T does not have", mutation, from, in)
			}
		}
	}
	for mutation := range inputNames {
		if _, ok := mutationInputs[mutation]; !ok {
			t.Errorf("inputNames renames fields of %s, which is no mutation", mutation)
		}
	}
}

// A refusal of one input field answers that field's path in userErrors,
// as the mutation's input type names it; a refusal of the input as a whole
// (a reused idempotency key, the obligation's state) answers null.
func TestUserErrorField(t *testing.T) {
	e := newEnv(t, envOptions{})
	s := loadSchema(t)
	report := `mutation($in: ReportProgressInput!) { reportProgress(input: $in) { position userErrors { field code messageCode } } }`
	own := map[string]any{"task": 1, "role": "IMPLEMENTING"}
	first := map[string]any{"obligation": own, "percent": 50, "idempotencyKey": "f-0"}
	if r := e.post("county", report, map[string]any{"in": first}); len(r.userErrors()) != 0 || len(r.Errors) != 0 {
		t.Fatalf("a first report: %s", r.Raw)
	}
	cases := []struct {
		name, role, mutation, query string
		in                          map[string]any
		want                        []string
	}{
		{"percent out of range", "county", "reportProgress", report,
			map[string]any{"obligation": own, "percent": 140, "idempotencyKey": "f-1"}, []string{"input", "percent"}},
		{"a month to come", "county", "reportProgress", report,
			map[string]any{"obligation": own, "percent": 10, "period": "2025-09", "idempotencyKey": "f-2"}, []string{"input", "period"}},
		{"a moment to come", "county", "reportProgress", report,
			map[string]any{"obligation": own, "percent": 10, "effectiveAt": "2025-04-01T00:00:00Z", "idempotencyKey": "f-3"}, []string{"input", "effectiveAt"}},
		{"a task number below 1", "county", "reportProgress", report,
			map[string]any{"obligation": map[string]any{"task": 0, "role": "IMPLEMENTING"}, "percent": 10, "idempotencyKey": "f-4"}, []string{"input", "obligation", "task"}},
		{"a duty never assigned", "county", "reportProgress", report,
			map[string]any{"obligation": map[string]any{"task": 2, "role": "IMPLEMENTING"}, "percent": 10, "idempotencyKey": "f-5"}, []string{"input", "obligation"}},
		{"a lower figure without a note", "county", "reportProgress", report,
			map[string]any{"obligation": own, "percent": 40, "idempotencyKey": "f-5b"}, []string{"input", "note"}},
		{"a control character in the note", "county", "reportProgress", report,
			map[string]any{"obligation": own, "percent": 10, "note": "a\u202eb", "idempotencyKey": "f-6"}, []string{"input", "note"}},
		{"an unknown milestone", "county", "requestExtension",
			`mutation($in: RequestExtensionInput!) { requestExtension(input: $in) { position userErrors { field code messageCode } } }`,
			map[string]any{"obligation": own, "milestone": "m9", "due": "2025-09-30", "reason": "汛期", "idempotencyKey": "f-7"}, []string{"input", "milestone"}},
		{"an extension not later", "county", "requestExtension",
			`mutation($in: RequestExtensionInput!) { requestExtension(input: $in) { position userErrors { field code messageCode } } }`,
			map[string]any{"obligation": own, "milestone": "m1", "due": "2025-05-01", "reason": "汛期", "idempotencyKey": "f-8"}, []string{"input", "due"}},
		{"a claim achieved later", "county", "claimCompletion",
			`mutation($in: ClaimCompletionInput!) { claimCompletion(input: $in) { position userErrors { field code messageCode } } }`,
			map[string]any{"obligation": own, "milestone": "m1", "achievedAt": "2026-01-01T00:00:00Z", "idempotencyKey": "f-9"}, []string{"input", "achievedAt"}},
		{"a rejection's reason, which the app calls note", "inspector", "rejectCompletion",
			`mutation($in: RejectCompletionInput!) { rejectCompletion(input: $in) { position userErrors { field code messageCode } } }`,
			map[string]any{"obligation": map[string]any{"task": 1, "unit": "county.a", "role": "IMPLEMENTING"}, "reason": "x\u0007", "idempotencyKey": "f-10"}, []string{"input", "reason"}},
		{"a plan id, which the app calls plan", "coordinator", "importPlan",
			`mutation($in: ImportPlanInput!) { importPlan(input: $in) { position userErrors { field code messageCode } } }`,
			map[string]any{"text": "一、任务", "planId": "bad id!", "idempotencyKey": "f-11"}, []string{"input", "planId"}},
		{"a negative indicator", "coordinator", "recordIndicator",
			`mutation($in: RecordIndicatorInput!) { recordIndicator(input: $in) { position userErrors { field code messageCode } } }`,
			map[string]any{"unit": "county.a", "metric": "PM25", "period": "2025-02", "value": -1, "validDays": 28, "idempotencyKey": "f-12"}, []string{"input", "value"}},
		{"no pending claim", "inspector", "verifyCompletion",
			`mutation($in: VerifyCompletionInput!) { verifyCompletion(input: $in) { position userErrors { field code messageCode } } }`,
			map[string]any{"obligation": map[string]any{"task": 1, "unit": "county.a", "role": "IMPLEMENTING"}, "idempotencyKey": "f-13"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.post(c.role, c.query, map[string]any{"in": c.in})
			ue := r.userErrors()
			if r.Status != 200 || len(r.Errors) != 0 || len(ue) != 1 {
				t.Fatalf("want one user error: %s", r.Raw)
			}
			got := fieldOf(t, ue[0])
			if !slices.Equal(got, c.want) {
				t.Fatalf("field %v, want %v: %s", got, c.want, r.Raw)
			}
			if got != nil && !inputFieldExists(s, c.mutation, got) {
				t.Errorf("field %v is not a field of %s's input", got, c.mutation)
			}
		})
	}

	// The same key with another request: the input as a whole is refused.
	in := map[string]any{"obligation": own, "percent": 60, "idempotencyKey": "same"}
	if r := e.post("county", report, map[string]any{"in": in}); len(r.userErrors()) != 0 || len(r.Errors) != 0 {
		t.Fatalf("a report: %s", r.Raw)
	}
	in["percent"] = 70
	r := e.post("county", report, map[string]any{"in": in})
	ue := r.userErrors()
	if len(ue) != 1 || path(ue[0], "code") != "IDEMPOTENCY_CONFLICT" || path(ue[0], "field") != nil {
		t.Errorf("a reused key: want IDEMPOTENCY_CONFLICT with a null field: %s", r.Raw)
	}
}

// fieldOf reads a user error's field: nil for null.
func fieldOf(t *testing.T, ue any) []string {
	t.Helper()
	raw := path(ue, "field")
	if raw == nil {
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		t.Fatalf("field is %T, not a list", raw)
	}
	out := make([]string, len(list))
	for i, v := range list {
		out[i], _ = v.(string)
	}
	return out
}
