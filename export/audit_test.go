package export

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"taskledger/domain"
)

func auditSample() AuditTrail {
	return AuditTrail{
		Plan: "chifeng-air", Task: 10, AsOf: time.Date(2025, 6, 30, 23, 59, 59, 0, domain.Shanghai()), Intact: true,
		Notice: "【模拟数据】仅供演示。 [SIMULATED]",
		Entries: []AuditEntry{
			{Position: 43, RecordedAt: time.Date(2024, 12, 1, 1, 0, 0, 0, time.UTC), EffectiveAt: time.Date(2024, 12, 1, 1, 0, 0, 0, time.UTC),
				Actor: "office", Summary: "登记任务第10项：持续优化调整货物运输结构", Type: "TaskRegistered", Stream: "task-chifeng-air-10",
				Flags: []string{}, ID: "0f4c8a6e-52b1-4d8b-9a57-2d0e3c7b1a01", Hash: strings.Repeat("ab", 32)},
			// Recorded 18:05:07 Beijing time (10:05:07 UTC), speaking of 2 June.
			{Position: 1234, RecordedAt: time.Date(2025, 6, 30, 10, 5, 7, 250_000_000, time.UTC), EffectiveAt: time.Date(2025, 6, 2, 9, 0, 0, 0, domain.Shanghai()),
				Actor: "demo:county.ningcheng", Summary: "宁城县（落实）第10项报告2025-05进度60%（原40%）", Type: "ProgressReported",
				Stream: "obligation-chifeng-air/10/county.ningcheng/IMPLEMENTING", Flags: []string{"simulated", "backdated", "superseded"},
				ID: "5b7f7e1c-93a2-4c3e-8f0e-6a1d2b3c4d5e", Hash: strings.Repeat("cd", 32)},
		},
	}
}

func TestAuditXLSXCells(t *testing.T) {
	f := openXLSX(t, func(w io.Writer) error { return AuditXLSX(w, auditSample()) }, "审计轨迹,说明", AuditHeaders)
	// The second event's row, as a spreadsheet shows it.
	want := map[string]string{"A3": "1234", "B3": "2025-06-30 18:05:07", "C3": "2025-06-02 09:00:00", "D3": "demo:county.ningcheng",
		"E3": "宁城县（落实）第10项报告2025-05进度60%（原40%）", "F3": "ProgressReported", "G3": "obligation-chifeng-air/10/county.ningcheng/IMPLEMENTING",
		"H3": "补录、被取代、模拟", "I3": "5b7f7e1c-93a2-4c3e-8f0e-6a1d2b3c4d5e", "J3": strings.Repeat("cd", 32),
		"A2": "43", "B2": "2024-12-01 09:00:00", "H2": ""}
	for ref, w := range want {
		if v, _ := f.GetCellValue(SheetAudit, ref); v != w {
			t.Errorf("%s = %q, want %q", ref, v, w)
		}
	}
	// The position is a number; the times are date-times: numbers (Excel
	// serial days) in the date-time format, the Beijing wall clock.
	for _, ref := range []string{"A3", "B3", "C3"} {
		typ, err := f.GetCellType(SheetAudit, ref)
		if err != nil {
			t.Fatal(err)
		}
		if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("%s has type %v, want a number", ref, typ)
		}
	}
	if raw, _ := f.GetCellValue(SheetAudit, "A3", excelize.Options{RawCellValue: true}); raw != "1234" {
		t.Errorf("A3 raw = %q, want 1234", raw)
	}
	for ref, w := range map[string]time.Time{
		"B3": time.Date(2025, 6, 30, 18, 5, 7, 0, time.UTC),
		"C3": time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC),
	} {
		raw, _ := f.GetCellValue(SheetAudit, ref, excelize.Options{RawCellValue: true})
		serial, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			t.Fatalf("%s raw value %q is not a serial date: %v", ref, raw, err)
		}
		got, err := excelize.ExcelDateToTime(serial, false)
		if err != nil {
			t.Fatal(err)
		}
		if d := got.Sub(w); d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("%s = %v (serial %s), want %v", ref, got, raw, w)
		}
		style, _ := f.GetCellStyle(SheetAudit, ref)
		st, err := f.GetStyle(style)
		if err != nil {
			t.Fatal(err)
		}
		if st.CustomNumFmt == nil || *st.CustomNumFmt != NumFmtDateTime {
			t.Errorf("%s number format = %v, want %q", ref, st.CustomNumFmt, NumFmtDateTime)
		}
	}
	// Widths: the time columns fit their header (20 cells); the summary
	// its text.
	for col, w := range map[string]float64{"A": ColumnWidth(8), "B": ColumnWidth(20), "E": ColumnWidth(displayWidth(want["E3"]))} {
		if got, _ := f.GetColWidth(SheetAudit, col); got != w {
			t.Errorf("column %s width %v, want %v", col, got, w)
		}
	}
	panes, err := f.GetPanes(SheetAudit)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header row not frozen: %+v %v", panes, err)
	}
	// 说明: which trail, as of when, the chain's verdict, the flags, the notice.
	about, _ := f.GetRows(SheetAbout)
	kv := map[string]string{}
	for _, r := range about {
		if len(r) == 2 {
			kv[r[0]] = r[1]
		}
	}
	for k, w := range map[string]string{"标题": "第10项任务审计轨迹", "任务": "第10项", "方案": "chifeng-air", "截至": "2025-06-30 23:59",
		"事件数": "2", "哈希链": "完整", "标记：补录": "backdated", "标记：被否决": "reversed", "数据说明": "模拟"} {
		if !strings.Contains(kv[k], w) {
			t.Errorf("说明 %s = %q, want it to contain %q", k, kv[k], w)
		}
	}
}

func TestAuditXLSXBrokenEmptyUnit(t *testing.T) {
	var buf bytes.Buffer
	if err := AuditXLSX(&buf, AuditTrail{Unit: "宁城县"}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(SheetAudit)
	if len(rows) != 1 || rows[0][0] != "日志位置" {
		t.Errorf("an empty trail: %q", rows)
	}
	about, _ := f.GetRows(SheetAbout)
	s := flat(about)
	for _, w := range []string{"宁城县审计轨迹", "验证失败", "账本现有的全部记录", "事件数|0"} {
		if !strings.Contains(s, w) {
			t.Errorf("说明 lacks %q:\n%s", w, s)
		}
	}
}

func TestAuditXLSXAtPosition(t *testing.T) {
	var buf bytes.Buffer
	if err := AuditXLSX(&buf, AuditTrail{Task: 3, AtPosition: 3000, Intact: true}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	about, _ := f.GetRows(SheetAbout)
	if s := flat(about); !strings.Contains(s, "截至日志位置|3000（含）") || strings.Contains(s, "全部记录") || !strings.Contains(s, "哈希链|完整") {
		t.Errorf("说明 of a trail cut at a position:\n%s", s)
	}
}

func TestAuditCSV(t *testing.T) {
	rows := readCSV(t, func(w io.Writer) error { return AuditCSV(w, auditSample()) })
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(AuditHeaders, ",") {
		t.Fatalf("rows %q", rows)
	}
	want := []string{"1234", "2025-06-30 18:05:07", "2025-06-02 09:00:00", "demo:county.ningcheng", "宁城县（落实）第10项报告2025-05进度60%（原40%）",
		"ProgressReported", "obligation-chifeng-air/10/county.ningcheng/IMPLEMENTING", "补录、被取代、模拟",
		"5b7f7e1c-93a2-4c3e-8f0e-6a1d2b3c4d5e", strings.Repeat("cd", 32)}
	if strings.Join(rows[2], "|") != strings.Join(want, "|") {
		t.Errorf("row 2:\n got %q\nwant %q", rows[2], want)
	}
	if rows[1][0] != "43" || rows[1][7] != "" {
		t.Errorf("row 1: %q", rows[1])
	}
}

func flat(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "|"))
		b.WriteByte('\n')
	}
	return b.String()
}
