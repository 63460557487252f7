package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"taskledger/audit"
	"taskledger/demo"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/memory"
	"taskledger/export"
	"taskledger/internal/ledgertest"
	"taskledger/projections"
)

// call executes a command line in-process and returns its error and
// outputs.
func call(t *testing.T, args ...string) (error, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &cli{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }, now: func() time.Time { return clock }}
	_, err := execute(context.Background(), a, args)
	return err, out.String(), errOut.String()
}

func mustCall(t *testing.T, args ...string) string {
	t.Helper()
	err, out, errOut := call(t, args...)
	if err != nil {
		t.Fatalf("%v: %v\n%s%s", args, err, out, errOut)
	}
	return out
}

func TestAuditCommands(t *testing.T) {
	chdirRepo(t)
	tmp := t.TempDir()
	store := filepath.Join(tmp, "ledger")
	key := filepath.Join(tmp, "key")
	mustCall(t, "demo", "--store", store, "--seed", "1")
	mustCall(t, "checkpoint", "--new-key", key)
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key file: %v %v", fi, err)
	}
	cp1 := filepath.Join(tmp, "cp1.json")
	mustCall(t, "checkpoint", "--store", store, "--key", key, "--out", cp1)

	// More events, a second checkpoint, and a consistency proof between them.
	mustCall(t, "import", "--store", store, "--plan", "second", "examples/chifeng-air-quality-plan.txt")
	cp2 := filepath.Join(tmp, "cp2.json")
	mustCall(t, "checkpoint", "--store", store, "--key", key, "--out", cp2)
	cons := filepath.Join(tmp, "cons.json")
	mustCall(t, "proof", "consistency", "--store", store, "--old", cp1, "--new", cp2, "--out", cons)
	if out := mustCall(t, "proof", "verify", "--proof", cons, "--old", cp1, "--new", cp2, "--pubkey", key+".pub"); !strings.HasPrefix(out, "OK") {
		t.Fatal(out)
	}
	if err, _, _ := call(t, "proof", "verify", "--proof", cons, "--old", cp2, "--new", cp1, "--pubkey", key+".pub"); err == nil {
		t.Fatal("a consistency proof verified against swapped checkpoints")
	}

	// Inclusion proof by position against the first checkpoint.
	incl := filepath.Join(tmp, "incl.json")
	mustCall(t, "proof", "inclusion", "--store", store, "--position", "1000", "--checkpoint", cp1, "--out", incl)
	if out := mustCall(t, "proof", "verify", "--proof", incl, "--checkpoint", cp1, "--pubkey", key+".pub"); !strings.Contains(out, "position 1000") {
		t.Fatal(out)
	}
	if err, _, _ := call(t, "proof", "verify", "--proof", incl, "--checkpoint", cp2, "--pubkey", key+".pub"); err == nil {
		t.Fatal("an inclusion proof verified against a checkpoint of another size")
	}
	other := filepath.Join(tmp, "other")
	mustCall(t, "checkpoint", "--new-key", other)
	if err, _, _ := call(t, "proof", "verify", "--proof", incl, "--checkpoint", cp1, "--pubkey", other+".pub"); err == nil {
		t.Fatal("an inclusion proof verified with another key")
	}

	// Export, verify the store and the export, then damage the export.
	exp := filepath.Join(tmp, "ledger.jsonl")
	mustCall(t, "export", "--store", store, "--out", exp)
	mustCall(t, "verify", "--store", store, "--checkpoint", cp2, "--pubkey", key+".pub")
	mustCall(t, "verify", "--export", exp, "--checkpoint", cp1, "--pubkey", key+".pub")
	if err, _, _ := call(t, "verify", "--export", exp, "--checkpoint", cp1, "--pubkey", other+".pub"); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("another key: %v", err)
	}
	b, err := os.ReadFile(exp)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(b, []byte("\n"))
	lines[500] = bytes.Replace(lines[500], []byte(`"version":`), []byte(`"version":1`), 1)
	bad := filepath.Join(tmp, "bad.jsonl")
	if err := os.WriteFile(bad, bytes.Join(lines, []byte("\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	err, _, _ = call(t, "verify", "--export", bad)
	if err == nil || !strings.Contains(err.Error(), "line 501") {
		t.Fatalf("damaged export: %v", err)
	}

	// The audit trail: as of a date, only events recorded by then.
	out := mustCall(t, "audit", "--store", store, "--task", "10", "--as-of", "2025-03-01", "--format", "json")
	if !strings.Contains(out, `"flags"`) || strings.Contains(out, `"recordedAt": "2025-04`) {
		t.Fatalf("audit json: %.400s", out)
	}
	if out := mustCall(t, "audit", "--store", store, "--unit", "生态环境局"); !strings.Contains(out, "审计记录") {
		t.Fatalf("audit table: %.400s", out)
	}
}

func TestAuditSpreadsheetExports(t *testing.T) {
	chdirRepo(t)
	tmp := t.TempDir()
	store := filepath.Join(tmp, "ledger")
	mustCall(t, "demo", "--store", store, "--seed", "1")
	var trail struct {
		Events []struct {
			Position   uint64    `json:"position"`
			ID         string    `json:"id"`
			RecordedAt time.Time `json:"recordedAt"`
			Flags      []string  `json:"flags"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(mustCall(t, "audit", "--store", store, "--task", "10", "--as-of", "2025-06-30", "--format", "json")), &trail); err != nil {
		t.Fatal(err)
	}
	if len(trail.Events) < 10 {
		t.Fatalf("task 10's trail as of 2025-06-30 has %d events", len(trail.Events))
	}

	// XLSX: the same events, in the same order, positions as numbers, times
	// as Beijing date-times; 说明 names the trail, the cut, the verdict.
	file := filepath.Join(tmp, "task10.xlsx")
	out := mustCall(t, "audit", "--store", store, "--task", "10", "--as-of", "2025-06-30", "--format", "xlsx", "--out", file)
	if !strings.Contains(out, fmt.Sprintf("wrote the audit trail (%d events, chain intact) to %s", len(trail.Events), file)) {
		t.Fatalf("xlsx: %q", out)
	}
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(export.SheetAudit)
	if len(rows) != len(trail.Events)+1 || strings.Join(rows[0], ",") != strings.Join(export.AuditHeaders, ",") {
		t.Fatalf("%d rows (want %d), header %q", len(rows), len(trail.Events)+1, rows[0])
	}
	sh := domain.Shanghai()
	flagged := 0
	for i, e := range trail.Events {
		r := rows[i+1]
		if r[0] != fmt.Sprint(e.Position) || r[8] != e.ID || r[1] != e.RecordedAt.In(sh).Format("2006-01-02 15:04:05") {
			t.Fatalf("row %d = %q, want position %d, id %s, recorded %s", i+2, r, e.Position, e.ID, e.RecordedAt)
		}
		if slices.Contains(e.Flags, "backdated") {
			flagged++
			if len(r) < 8 || !strings.Contains(r[7], "补录") {
				t.Errorf("row %d: backdated event's flags %q", i+2, r)
			}
		}
	}
	if flagged == 0 {
		t.Error("no backdated event in task 10's trail: the flag column is not exercised")
	}
	last := len(trail.Events) + 1
	for _, col := range []int{1, 2, 3} {
		ref, _ := excelize.CoordinatesToCellName(col, last)
		if typ, _ := f.GetCellType(export.SheetAudit, ref); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("%s has type %v, want a number", ref, typ)
		}
		raw, _ := f.GetCellValue(export.SheetAudit, ref, excelize.Options{RawCellValue: true})
		if _, err := strconv.ParseFloat(raw, 64); err != nil {
			t.Errorf("%s raw value %q is not a number", ref, raw)
		}
	}
	about, _ := f.GetRows(export.SheetAbout)
	var kv []string
	for _, r := range about {
		kv = append(kv, strings.Join(r, "="))
	}
	s := strings.Join(kv, "\n")
	for _, w := range []string{"标题=第10项任务审计轨迹", "截至=2025-06-30 23:59", fmt.Sprintf("事件数=%d", len(trail.Events)), "哈希链=完整", "数据说明=【模拟数据】"} {
		if !strings.Contains(s, w) {
			t.Errorf("说明 lacks %q:\n%s", w, s)
		}
	}
	t.Logf("%s, sheet %s rows 1, 2 and %d:\n%q\n%q\n%q\n说明:\n%s", file, export.SheetAudit, last, rows[0], rows[1], rows[last-1], s)

	// CSV to stdout: BOM, the same rows; a unit's duty on the task.
	out = mustCall(t, "audit", "--store", store, "--task", "10", "--unit", "宁城县", "--format", "csv")
	if !strings.HasPrefix(out, "\ufeff日志位置,记录时间（北京时间）") {
		t.Fatalf("csv: %.200q", out)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil || len(recs) < 5 {
		t.Fatalf("csv: %v, %d rows", err, len(recs))
	}
	for _, r := range recs[1:] {
		if !strings.Contains(r[4], "宁城县") && r[5] != "UnitRegistered" {
			t.Errorf("a row of 宁城县's trail on task 10 is about something else: %q", r)
		}
		if strings.HasPrefix(r[3], "demo:") && !strings.Contains(r[7], "模拟") {
			t.Errorf("a simulated event is not flagged 模拟: %q", r)
		}
	}
	// CSV to a file.
	csvFile := filepath.Join(tmp, "unit.csv")
	mustCall(t, "audit", "--store", store, "--unit", "宁城县", "--format", "csv", "--out", csvFile)
	if b, err := os.ReadFile(csvFile); err != nil || !bytes.HasPrefix(b, []byte("\ufeff日志位置")) {
		t.Fatalf("csv file: %v %.40q", err, b)
	}

	// Usage errors exit 2 and write nothing.
	for _, args := range [][]string{
		{"--task", "10", "--format", "xlsx"},                // no --out
		{"--task", "10", "--format", "json", "--out", file}, // --out with a non-spreadsheet format
		{"--task", "10", "--out", file},                     // --out with the default table
		{"--task", "10", "--format", "pdf", "--out", file},  // unknown format
		{"--format", "csv"},                                 // no --task or --unit
	} {
		code, _, stderr := runCLI(t, clock, append([]string{"audit", "--store", store}, args...)...)
		if code != 2 || !strings.Contains(stderr, "usage") {
			t.Errorf("audit %v: exit %d, %q; want 2 and a usage message", args, code, stderr)
		}
	}
}

// tamperedStore reads a store's log with one event changed.
type tamperedStore struct {
	eventstore.Store
	at     uint64
	change func(*domain.Event)
}

func (s tamperedStore) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Event, error) {
	events, err := s.Store.ReadAll(ctx, after, limit)
	for i := range events {
		if events[i].Position == s.at {
			e := events[i]
			s.change(&e)
			events[i] = e
		}
	}
	return events, err
}

func TestAuditExportChecksTheChain(t *testing.T) {
	ctx := context.Background()
	mem := memory.New()
	b := ledgertest.New(t, mem, ledgertest.Shanghai(2025, time.January, 2, 9))
	keys := b.SmallPlan()
	b.At(ledgertest.Shanghai(2025, time.March, 20, 9)) // 19 days after February: backdated
	b.DoMeta(domain.ReportProgress{ObligationKey: keys[1], ActingUnit: "county.a", Percent: 40},
		domain.Meta{Actor: demo.ActorPrefix + "county.a", Now: b.Now(), EffectiveAt: ledgertest.Shanghai(2025, time.February, 28, 9), IdempotencyKey: "r1"})
	report := b.Do(domain.ReportProgress{ObligationKey: keys[1], ActingUnit: "county.a", Percent: 50}, "county.a")
	reg := domain.DefaultRegistry()
	f := audit.Filter{Task: 1}

	// Untampered: intact, no event with a hash mismatch.
	tr, err := audit.BuildTrail(ctx, mem, reg, f, 0, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tr.Entries() {
		if e.HashMismatch {
			t.Errorf("untampered event %d has a hash mismatch", e.Position)
		}
	}
	x := auditExport(tr, "p", 1, "", projections.Cut{})
	if !tr.Intact() || !x.Intact || !strings.Contains(x.Notice, "1个事件") {
		t.Errorf("export: intact %v, notice %q", x.Intact, x.Notice)
	}
	var sim []string
	for _, e := range x.Entries {
		if strings.HasPrefix(e.Actor, demo.ActorPrefix) {
			sim = e.Flags
		}
	}
	// Recorded on 20 March for February: backdated, and late (past the
	// reporting deadline of 10 March).
	if strings.Join(sim, ",") != "backdated,late,simulated" {
		t.Errorf("the simulated, backdated report's flags: %v", sim)
	}

	pos := report.Position
	for name, change := range map[string]func(*domain.Event){
		// A changed payload: the event's hash no longer matches.
		"payload": func(e *domain.Event) { e.Payload = bytes.Replace(e.Payload, []byte("50"), []byte("90"), 1) },
		// A re-hashed event that links to another predecessor.
		"link": func(e *domain.Event) { e.PrevHash[0] ^= 1; e.Hash = e.ComputeHash() },
	} {
		s := tamperedStore{Store: mem, at: pos, change: change}
		tr, err := audit.BuildTrail(ctx, s, reg, f, 0, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Intact() {
			t.Errorf("%s: a tampered trail is intact", name)
		}
		for _, e := range tr.Entries() {
			if e.HashMismatch != (name == "payload" && e.Position == pos) {
				t.Errorf("%s: hash mismatch at %d: %v", name, e.Position, e.HashMismatch)
			}
		}
		x := auditExport(tr, "p", 1, "", projections.Cut{})
		last := x.Entries[len(x.Entries)-1]
		if x.Intact || last.Position != pos || slices.Contains(last.Flags, "hash_mismatch") != (name == "payload") {
			t.Errorf("%s: export intact %v, last entry %d flags %v", name, x.Intact, last.Position, last.Flags)
		}
	}
}
