package planparse

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// update regenerates testdata/chifeng.expected.json from the parser. The
// file is HAND-CHECKED: every task's title, text, attribution brackets
// (units, roles, scopes), deadlines and targets were read against the plan
// text. After -update, diff the file and check every change by hand again
// before keeping it.
var update = flag.Bool("update", false, "regenerate testdata/chifeng.expected.json (hand-checked: review the diff)")

const chifengFile = "testdata/chifeng-air-quality-plan.txt"

// fixture is the hand-checked view of a parsed plan: the plan's fields, with
// each task's responsibilities grouped by attribution bracket so that every
// bracket can be read against the text once.
type fixture struct {
	Title          string            `json:"title"`
	PlanYear       int               `json:"plan_year"`
	Layout         Layout            `json:"layout"`
	Chapters       []Chapter         `json:"chapters"`
	Preamble       []fixturePreamble `json:"preamble"`
	OverallTargets []Target          `json:"overall_targets"`
	Units          []UnitRef         `json:"units"`
	Tasks          []fixtureTask     `json:"tasks"`
	Warnings       []Warning         `json:"warnings"`
}

type fixturePreamble struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
}

type fixtureTask struct {
	Number      int              `json:"number"`
	Chapter     string           `json:"chapter"`
	Title       string           `json:"title"`
	Text        string           `json:"text"`
	Brackets    []fixtureBracket `json:"brackets"`
	Standing    []string         `json:"standing_implementing,omitempty"`
	Collectives []Collective     `json:"collectives,omitempty"`
	Deadlines   []Deadline       `json:"deadlines"`
	Targets     []Target         `json:"targets"`
}

type fixtureBracket struct {
	Bracket      int      `json:"bracket"`
	Scope        string   `json:"scope"`
	Lead         []string `json:"LEAD,omitempty"`
	Joint        []string `json:"JOINT,omitempty"`
	Support      []string `json:"SUPPORT,omitempty"`
	Implementing []string `json:"IMPLEMENTING,omitempty"`
}

func toFixture(t *testing.T, p *Plan) fixture {
	t.Helper()
	f := fixture{Title: p.Title, PlanYear: p.PlanYear, Layout: p.Layout, Chapters: p.Chapters,
		OverallTargets: p.OverallTargets, Units: p.Units, Warnings: p.Warnings}
	for _, pi := range p.Preamble {
		f.Preamble = append(f.Preamble, fixturePreamble{Number: pi.Number, Title: pi.Title})
	}
	for _, task := range p.Tasks {
		ft := fixtureTask{Number: task.Number, Chapter: task.Chapter, Title: task.Title, Text: task.Text,
			Brackets: []fixtureBracket{}, Collectives: task.Collectives, Deadlines: task.Deadlines, Targets: task.Targets}
		for _, r := range task.Responsibilities {
			if r.Bracket == 0 {
				if r.Role != RoleImplementing || r.Scope != "" {
					t.Errorf("task %d: standing responsibility %+v", task.Number, r)
				}
				ft.Standing = append(ft.Standing, r.Unit)
				continue
			}
			for len(ft.Brackets) < r.Bracket {
				ft.Brackets = append(ft.Brackets, fixtureBracket{Bracket: len(ft.Brackets) + 1})
			}
			b := &ft.Brackets[r.Bracket-1]
			if b.Scope == "" {
				b.Scope = r.Scope
			} else if b.Scope != r.Scope {
				t.Errorf("task %d bracket %d: two scopes %q and %q", task.Number, r.Bracket, b.Scope, r.Scope)
			}
			switch r.Role {
			case RoleLead:
				b.Lead = append(b.Lead, r.Unit)
			case RoleJoint:
				b.Joint = append(b.Joint, r.Unit)
			case RoleSupport:
				b.Support = append(b.Support, r.Unit)
			case RoleImplementing:
				b.Implementing = append(b.Implementing, r.Unit)
			}
		}
		f.Tasks = append(f.Tasks, ft)
	}
	return f
}

func encodeFixture(t *testing.T, f fixture) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func parseFile(t *testing.T, name string, opts Options) *Plan {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := Parse(f, opts)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return p
}

// TestChifengFixture compares the parse of the Chifeng plan with the
// hand-checked fixture, task by task.
func TestChifengFixture(t *testing.T) {
	p := parseFile(t, chifengFile, Options{Registry: ChifengRegistry()})
	got := toFixture(t, p)
	path := filepath.Join("testdata", "chifeng.expected.json")
	if *update {
		if err := os.WriteFile(path, encodeFixture(t, got), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: review the diff by hand", path)
		return
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want fixture
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	// Compare through the same encoding so that nil and empty agree.
	want = roundTrip(t, want)
	got = roundTrip(t, got)
	if len(got.Tasks) != len(want.Tasks) {
		t.Fatalf("%d tasks, fixture has %d", len(got.Tasks), len(want.Tasks))
	}
	for i := range want.Tasks {
		g, w := encodeJSON(t, got.Tasks[i]), encodeJSON(t, want.Tasks[i])
		if g != w {
			t.Errorf("task %d differs from the fixture\n got %s\nwant %s", want.Tasks[i].Number, g, w)
		}
	}
	got.Tasks, want.Tasks = nil, nil
	if g, w := encodeJSON(t, got), encodeJSON(t, want); g != w {
		t.Errorf("plan differs from the fixture\n got %s\nwant %s", g, w)
	}
}

func roundTrip(t *testing.T, f fixture) fixture {
	t.Helper()
	var out fixture
	if err := json.Unmarshal(encodeFixture(t, f), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func encodeJSON(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(buf.String())
}

// TestChifengShape checks the facts the brief states outright, independently
// of the fixture.
func TestChifengShape(t *testing.T) {
	p := parseFile(t, chifengFile, Options{})
	if len(p.Tasks) != 28 {
		t.Fatalf("%d tasks, want 28", len(p.Tasks))
	}
	for i, task := range p.Tasks {
		if task.Number != i+3 {
			t.Errorf("task %d has number %d, want %d", i, task.Number, i+3)
		}
	}
	byNum := map[int]Task{}
	for _, task := range p.Tasks {
		byNum[task.Number] = task
	}
	if got := byNum[3]; got.Chapter != "二、促进产业绿色转型升级" || got.Title != "坚决遏制“两高、一低”项目盲目发展，严格环境准入要求" {
		t.Errorf("task 3: chapter %q title %q", got.Chapter, got.Title)
	}
	if !strings.Contains(byNum[18].Text, "\n加强工业企业监管，确保全面稳定达标排放。") {
		t.Errorf("task 18 lacks its second paragraph: %q", byNum[18].Text)
	}
	if got := byNum[28].Chapter; got != "十、严格落实责任，积极开展全民行动" {
		t.Errorf("task 28 chapter %q", got)
	}
	if n := len(p.Chapters); n != 10 || p.Chapters[9].Number != 10 {
		t.Errorf("chapters %+v", p.Chapters)
	}
	// Every county is IMPLEMENTING on every task.
	for _, task := range p.Tasks {
		n := 0
		for _, r := range task.Responsibilities {
			if r.Role == RoleImplementing && strings.HasPrefix(r.UnitID, "county.") {
				n++
			}
		}
		if n != 12 {
			t.Errorf("task %d: %d counties IMPLEMENTING", task.Number, n)
		}
	}
	// （二十七） keeps six brackets with their own scopes.
	scopes := map[int]string{}
	for _, r := range byNum[27].Responsibilities {
		if r.Bracket > 0 {
			scopes[r.Bracket] = r.Scope
		}
	}
	if len(scopes) != 6 || scopes[3] != "鼓励对新能源城市公共汽电车充电给予积极支持。" {
		t.Errorf("task 27 scopes %v", scopes)
	}
	// Every unit is known to the registry.
	for _, u := range p.Units {
		if !u.Known {
			t.Errorf("unit %+v unknown", u)
		}
	}
	// Deadlines the brief names.
	want := map[int]Deadline{
		10: {Phrase: "2024年底前", Due: "2024-12-31", What: "投入运行", Milestone: "投入运行", Line: 20},
		16: {Phrase: "2025年", Due: "2025-12-31", What: "全市秸秆综合利用率达到90%", Line: 27},
	}
	for n, d := range want {
		found := false
		for _, got := range byNum[n].Deadlines {
			if reflect.DeepEqual(got, d) {
				found = true
			}
		}
		if !found {
			t.Errorf("task %d lacks deadline %+v: %+v", n, d, byNum[n].Deadlines)
		}
	}
	found := false
	for _, d := range byNum[18].Deadlines {
		if d.Phrase == "从2026年1月1日起" && d.Starts == "2026-01-01" && d.Due == "" {
			found = true
		}
	}
	if !found {
		t.Errorf("task 18 lacks the 2026-01-01 start: %+v", byNum[18].Deadlines)
	}
	if len(p.OverallTargets) != 11 {
		t.Errorf("%d overall targets, want 11", len(p.OverallTargets))
	}
}

// TestChifengTextIsComplete checks that every line of the plan from （三） on
// is in exactly one task's text.
func TestChifengTextIsComplete(t *testing.T) {
	raw, err := os.ReadFile(chifengFile)
	if err != nil {
		t.Fatal(err)
	}
	p := parseFile(t, chifengFile, Options{})
	var all strings.Builder
	for _, task := range p.Tasks {
		all.WriteString(task.Text + "\n")
	}
	joined := all.String()
	started := false
	for _, line := range strings.Split(string(raw), "\n") {
		line = normalizeLine(markupRE.ReplaceAllString(line, ""))
		if strings.HasPrefix(line, "（三）") {
			started = true
		}
		if !started || line == "" || chapterCNRE.MatchString(line) || strings.HasPrefix(line, "10、") {
			continue
		}
		if m := parenRE.FindStringSubmatch(line); m != nil {
			line = m[2]
		}
		if strings.Count(joined, line) != 1 {
			t.Errorf("line %q is in %d task texts", line, strings.Count(joined, line))
		}
	}
}
