package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"taskledger/domain"
)

// SheetAudit is the sheet of an audit-trail workbook that holds the events.
const SheetAudit = "审计轨迹"

// AuditHeaders are the columns of an audit trail, in CSV and on the XLSX
// sheet 审计轨迹. Times are Beijing time (Asia/Shanghai).
var AuditHeaders = []string{"日志位置", "记录时间（北京时间）", "生效时间（北京时间）", "操作者", "内容", "事件类型", "事件流", "标记", "事件编号", "哈希"}

// AuditTrail is an audit trail: the events about a task, a unit (or a
// unit's duty on a task) or one stream, in log order, as recorded by AsOf.
type AuditTrail struct {
	Plan string
	// Task is the task's number, 0 when the trail is not a task's.
	Task int
	// Unit names the unit (its name, else its id), empty when the trail is
	// not a unit's.
	Unit string
	// Stream is the stream, empty when the trail is not one stream's.
	Stream string
	// AsOf, when not zero, is the moment the trail was replayed to: only
	// events recorded by then are in it.
	AsOf time.Time
	// AtPosition, when not 0, is the last log position replayed.
	AtPosition uint64
	// Intact says whether every event's content matches its hash and each
	// stream's links between consecutive versions are unbroken.
	Intact bool
	// Notice, when set, says the data is (partly) simulated.
	Notice  string
	Entries []AuditEntry
}

// AuditEntry is one event of an audit trail.
type AuditEntry struct {
	Position    uint64
	RecordedAt  time.Time
	EffectiveAt time.Time
	Actor       string
	// Summary says what changed, in one line of Chinese.
	Summary string
	Type    string
	Stream  string
	// Flags are the API's flag codes: backdated, late, reversed,
	// superseded, simulated, hash_mismatch.
	Flags []string
	ID    string
	Hash  string
}

// auditFlags are the flag codes in the order they are explained, with
// their Chinese labels and what they mean (docs/audit.md).
var auditFlags = []struct{ code, zh, means string }{
	{"backdated", "补录", "记录时间比其所述时间晚，超过宽限期（默认7天）"},
	{"late", "逾期", "在所涉期限当日结束（北京时间24时）后才记录：期限后申报完成、申请或批准延期，整改期限后完成整改，报送期限（所报月份结束后10天）后才报送的进展报告"},
	{"reversed", "被否决", "后来被推翻：完成申报后被驳回，延期申请未获批准"},
	{"superseded", "被取代", "后来被新记录取代：同一月份的进展报告再次报告，同一单位、指标、月份的数据被更正"},
	{"simulated", "模拟", "演示程序模拟生成（操作者以 demo: 开头），不是真实记录"},
	{"hash_mismatch", "哈希不符", "内容与其哈希不一致：记录可能被改动"},
}

// flagZH names an audit flag in Chinese; an unknown code is kept as is.
func flagZH(code string) string {
	for _, f := range auditFlags {
		if f.code == code {
			return f.zh
		}
	}
	return code
}

// flagsText writes flags in Chinese, in the order auditFlags explains
// them (unknown codes last), so that a trail reads the same whichever
// order its source listed them in.
func flagsText(codes []string) string {
	rank := func(code string) int {
		for i, f := range auditFlags {
			if f.code == code {
				return i
			}
		}
		return len(auditFlags)
	}
	sorted := slices.Clone(codes)
	slices.SortStableFunc(sorted, func(a, b string) int { return rank(a) - rank(b) })
	out := make([]string, len(sorted))
	for i, c := range sorted {
		out[i] = flagZH(c)
	}
	return strings.Join(out, "、")
}

// title is the document title of an audit-trail export.
func (a AuditTrail) title() string {
	var who string
	switch {
	case a.Stream != "":
		who = "事件流 " + a.Stream + " "
	case a.Unit != "" && a.Task > 0:
		who = a.Unit + "第" + strconv.Itoa(a.Task) + "项任务"
	case a.Unit != "":
		who = a.Unit
	case a.Task > 0:
		who = "第" + strconv.Itoa(a.Task) + "项任务"
	}
	return who + "审计轨迹"
}

// intactText is the chain's verdict in words.
func (a AuditTrail) intactText() string {
	if a.Intact {
		return "完整：每个事件的内容与哈希一致，同一事件流相邻版本的链接未断"
	}
	return "验证失败：存在内容与哈希不符或链接断裂的事件"
}

// dateTimeText writes an instant in Asia/Shanghai to the second.
func dateTimeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(domain.Shanghai()).Format("2006-01-02 15:04:05")
}

// wallClock is an instant as a spreadsheet stores it: the Asia/Shanghai
// wall clock as a naive time, to the second ("" when zero).
func wallClock(t time.Time) any {
	if t.IsZero() {
		return ""
	}
	s := t.In(domain.Shanghai())
	return time.Date(s.Year(), s.Month(), s.Day(), s.Hour(), s.Minute(), s.Second(), 0, time.UTC)
}

// AuditCSV writes an audit trail as CSV (UTF-8 with BOM), one row per
// event, times in Beijing time to the second, flags in Chinese.
func AuditCSV(w io.Writer, a AuditTrail) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	rows := [][]string{AuditHeaders}
	for _, e := range a.Entries {
		rows = append(rows, []string{strconv.FormatUint(e.Position, 10), dateTimeText(e.RecordedAt), dateTimeText(e.EffectiveAt),
			text(e.Actor), text(e.Summary), text(e.Type), text(e.Stream), flagsText(e.Flags), e.ID, e.Hash})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// AuditXLSX writes an audit-trail workbook: the events (sheet 审计轨迹),
// and which trail it is, as of when, the chain's verdict and what the
// flags mean (说明).
func AuditXLSX(w io.Writer, a AuditTrail) error {
	b, err := newBook()
	if err != nil {
		return err
	}
	if err := b.sheet(SheetAudit, true); err != nil {
		return err
	}
	rows := make([][]cell, 0, len(a.Entries))
	for _, e := range a.Entries {
		rows = append(rows, []cell{{e.Position, b.integer}, {wallClock(e.RecordedAt), b.datetime}, {wallClock(e.EffectiveAt), b.datetime},
			{e.Actor, b.text}, {e.Summary, b.text}, {e.Type, b.text}, {e.Stream, b.text}, {flagsText(e.Flags), b.text},
			{e.ID, b.text}, {e.Hash, b.text}})
	}
	if err := b.table(SheetAudit, AuditHeaders, rows); err != nil {
		return err
	}
	title := a.title()
	if err := b.print(SheetAudit, title, a.Notice); err != nil {
		return err
	}
	pairs := [][2]string{{"标题", title}}
	if a.Plan != "" {
		pairs = append(pairs, [2]string{"方案", a.Plan})
	}
	if a.Task > 0 {
		pairs = append(pairs, [2]string{"任务", "第" + strconv.Itoa(a.Task) + "项"})
	}
	if a.Unit != "" {
		pairs = append(pairs, [2]string{"单位", a.Unit})
	}
	if a.Stream != "" {
		pairs = append(pairs, [2]string{"事件流", a.Stream})
	}
	switch {
	case !a.AsOf.IsZero():
		pairs = append(pairs, [2]string{"截至", dateTimeText(a.AsOf) + "（北京时间，只含此前记录的事件）"})
	case a.AtPosition == 0:
		pairs = append(pairs, [2]string{"截至", "账本现有的全部记录"})
	}
	if a.AtPosition > 0 {
		pairs = append(pairs, [2]string{"截至日志位置", strconv.FormatUint(a.AtPosition, 10) + "（含）"})
	}
	pairs = append(pairs, [2]string{"事件数", strconv.Itoa(len(a.Entries))}, [2]string{"哈希链", a.intactText()},
		[2]string{"时间", "北京时间（UTC+8）；记录时间是写入账本的时间，生效时间是事件所述的时间"})
	for _, f := range auditFlags {
		pairs = append(pairs, [2]string{"标记：" + f.zh, f.code + "：" + f.means})
	}
	if a.Notice != "" {
		pairs = append(pairs, [2]string{"数据说明", a.Notice})
	}
	if err := b.about(pairs); err != nil {
		return err
	}
	return b.write(w)
}
