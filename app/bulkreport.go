package app

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"taskledger/auth"
	"taskledger/command"
	"taskledger/domain"
	"taskledger/internal/msg"
	"taskledger/reportsheet"
)

// BulkReportInput is a filled report template (报送模板) to record.
type BulkReportInput struct {
	// Plan, when set, is the only plan the file's rows may be of.
	Plan string
	// File is the uploaded file.
	File []byte
	// Format is xlsx or csv; empty means told by the file's content. A
	// declared format must agree with the content.
	Format string
}

// BulkReportResult is what a bulk report recorded.
type BulkReportResult struct {
	// Recorded counts rows recorded now; Duplicates rows that an earlier
	// upload of the same row already recorded; Skipped rows left blank.
	Recorded, Duplicates, Skipped int
	// Position is the log position of the last event recorded (0: none).
	Position uint64
	// Summary says it in a line, in Chinese and English.
	Summary string
}

// RowProblem is one refused cell or row of an uploaded file.
type RowProblem struct {
	// Row is the row number as the spreadsheet shows it.
	Row int
	// Column is the column header as the person sees it; empty when the
	// problem is the whole row.
	Column string
	// MsgZH and Msg say what is wrong, in Chinese and English.
	MsgZH string
	Msg   string
}

// Chinese is the problem as a person reads it: 第 7 行「进展百分比」：….
func (p RowProblem) Chinese() string {
	if p.Column == "" {
		return fmt.Sprintf("第 %d 行：%s", p.Row, p.MsgZH)
	}
	return fmt.Sprintf("第 %d 行「%s」：%s", p.Row, p.Column, p.MsgZH)
}

// English is the problem in English.
func (p RowProblem) English() string {
	if p.Column == "" {
		return fmt.Sprintf("row %d: %s", p.Row, p.Msg)
	}
	return fmt.Sprintf("row %d, column %s: %s", p.Row, p.Column, p.Msg)
}

// BulkReportError refuses an uploaded file, naming every bad row and cell.
// It unwraps to an *Error (INVALID_ARGUMENT, or the code of a refusal met
// while recording).
type BulkReportError struct {
	Err      *Error
	Problems []RowProblem
	// Recorded counts the rows recorded before a refusal met while
	// recording (a rare race with another writer); 0 when the file was
	// refused before anything was recorded.
	Recorded int
}

// Error returns the English message.
func (e *BulkReportError) Error() string { return e.Err.Msg }

// Unwrap returns the *Error.
func (e *BulkReportError) Unwrap() error { return e.Err }

// maxListed bounds how many problems an error's message lists (all are in
// Problems).
const maxListed = 20

func newBulkError(problems []RowProblem, recorded int, code Code) *BulkReportError {
	var zh, en []string
	for i, p := range problems {
		if i == maxListed {
			zh = append(zh, fmt.Sprintf("……另有 %d 处", len(problems)-maxListed))
			en = append(en, fmt.Sprintf("… and %d more", len(problems)-maxListed))
			break
		}
		zh, en = append(zh, p.Chinese()), append(en, p.English())
	}
	key := msg.ReportRowsRefused
	if recorded > 0 {
		key = msg.ReportRefusedMidway
	}
	e := fail(key, msg.Args{"Count": len(problems), "Recorded": recorded, "Problems": strings.Join(en, "\n"), "ProblemsZH": strings.Join(zh, "\n")})
	e.Code = code
	return &BulkReportError{Err: e, Problems: problems, Recorded: recorded}
}

// bulkRow is one filled row, checked and ready to record.
type bulkRow struct {
	line reportsheet.Line
	in   ReportInput
	pr   prepared
	dup  bool
}

// BulkReport records a filled report template: every row and cell is
// checked first — with the rules of ReportProgress, on the ledger as it
// stands — and nothing is recorded unless the whole file passes; then each
// filled row is recorded through ReportProgress. Rows left blank are
// skipped. Each row's idempotency key is derived from its content, so
// uploading the same file again records nothing new.
func (s *Service) BulkReport(ctx context.Context, p auth.Principal, in BulkReportInput) (BulkReportResult, error) {
	if err := s.authorize(ctx, p, Report); err != nil {
		return BulkReportResult{}, err
	}
	var plan domain.PlanID
	if in.Plan != "" {
		var err error
		if plan, err = s.knownPlan(s.current(), in.Plan); err != nil {
			return BulkReportResult{}, err
		}
	}
	up, err := reportsheet.Read(in.File, in.Format)
	var fe *reportsheet.FileError
	if errors.As(err, &fe) {
		return BulkReportResult{}, fail(msg.ReportFileRefused, msg.Args{"Reason": fe.EN, "ReasonZH": fe.ZH})
	}
	if err != nil {
		return BulkReportResult{}, fmt.Errorf("bulk report: %w", err)
	}
	rows, skipped, problems := s.readRows(p, plan, up)
	problems = append(problems, s.checkRows(ctx, p, rows, problemRows(problems))...)
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b RowProblem) int { return cmp.Compare(a.Row, b.Row) })
		return BulkReportResult{}, newBulkError(problems, 0, InvalidArgument)
	}
	res, err := s.recordRows(ctx, p, rows)
	res.Skipped = skipped
	if err != nil {
		return res, err
	}
	res.Summary = fmt.Sprintf("记录 %d 行，此前已记录 %d 行，跳过空白 %d 行 · recorded %d rows, %d already recorded, skipped %d blank",
		res.Recorded, res.Duplicates, res.Skipped, res.Recorded, res.Duplicates, res.Skipped)
	return res, nil
}

// readRows reads each filled line's cells into a report, collecting every
// problem; blank lines are counted and skipped.
func (s *Service) readRows(p auth.Principal, plan domain.PlanID, up reportsheet.Upload) ([]bulkRow, int, []RowProblem) {
	var rows []bulkRow
	var problems []RowProblem
	skipped := 0
	seen := map[string]int{}
	month := domain.YearMonthOf(s.clock.Now()).String()
	for _, ln := range up.Lines {
		if ln.Blank() {
			skipped++
			continue
		}
		r := bulkRow{line: ln}
		bad := func(col, zh, en string) {
			problems = append(problems, RowProblem{Row: ln.Row, Column: col, MsgZH: zh, Msg: en})
		}
		ref, ok := rowRef(p, plan, ln, bad)
		if ok {
			if first, dup := seen[ln.Cells[reportsheet.HeaderRef]]; dup {
				bad("", fmt.Sprintf("与第 %d 行是同一项任务责任，每项只能填一行", first), fmt.Sprintf("the same duty as row %d; fill one row per duty", first))
			}
			seen[ln.Cells[reportsheet.HeaderRef]] = ln.Row
		}
		r.in.Obligation = ObligationRef{Plan: string(ref.Plan), Task: int(ref.Task), Unit: string(ref.Unit), Role: string(ref.Role), Part: ref.Part}
		r.in.Percent = rowPercent(ln.Cells[reportsheet.HeaderPercent], bad)
		r.in.Period = rowPeriod(ln.Cells[reportsheet.HeaderPeriod], up.Serial, month, bad)
		r.in.Note = ln.Cells[reportsheet.HeaderNote]
		if err := cleanFields(freeText("note", "进展情况", &r.in.Note)); err != nil {
			zh, en := rowMessage(err)
			bad(reportsheet.HeaderNote, zh, en)
		}
		r.in.IdempotencyKey = rowKey(ln.Cells[reportsheet.HeaderRef], r.in)
		rows = append(rows, r)
	}
	return rows, skipped, problems
}

// rowRef reads a row's 编号: a duty of the uploading unit (and of plan,
// when given).
func rowRef(p auth.Principal, plan domain.PlanID, ln reportsheet.Line, bad func(col, zh, en string)) (domain.StreamRef, bool) {
	raw := ln.Cells[reportsheet.HeaderRef]
	if raw == "" {
		bad(reportsheet.HeaderRef, "缺少编号：请使用下载的报送模板，不要删改隐藏的编号列", "the reference is missing: use the downloaded template and keep its hidden 编号 column")
		return domain.StreamRef{}, false
	}
	ref, err := domain.ParseStream(raw)
	if err != nil || ref.Kind != domain.StreamObligation {
		bad(reportsheet.HeaderRef, "编号无法识别，不是报送模板中的任务责任：请不要修改编号列", "the reference names no duty of a report template: do not edit the 编号 column")
		return domain.StreamRef{}, false
	}
	if ref.Unit != p.Unit {
		bad("", "这一行是其他单位的任务责任，本单位不能代为报送", fmt.Sprintf("the row is another unit's duty (%s); a unit reports only on its own", ref.Unit))
		return ref, false
	}
	if plan != "" && ref.Plan != plan {
		bad("", "这一行属于其他方案，不在本次上传的方案之内", fmt.Sprintf("the row is of plan %s, not %s", ref.Plan, plan))
		return ref, false
	}
	return ref, true
}

// rowPercent reads 进展百分比: a whole number from 0 to 100 (Excel may
// store 60 as 60.0; a % sign is allowed).
func rowPercent(s string, bad func(col, zh, en string)) int {
	col := reportsheet.HeaderPercent
	if s == "" {
		bad(col, "必须填写：0 到 100 的整数", "required: a whole number from 0 to 100")
		return 0
	}
	f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || f != float64(int(f)) || f < 0 || f > 100 {
		bad(col, "应为 0 到 100 的整数", fmt.Sprintf("%q is not a whole number from 0 to 100", s))
		return 0
	}
	return int(f)
}

// monthForms are the ways a month is written: 2025-06, 2025/6, 2025.6,
// 2025年6月, each optionally with a day.
var monthForms = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月)?(?:\s*[-/.]?\s*\d{1,2}\s*日?)?$`)

// rowPeriod reads 报告期 as YYYY-MM: a month or a date written out, or a
// spreadsheet serial date; blank means the current month.
func rowPeriod(s string, serial bool, current string, bad func(col, zh, en string)) string {
	if s == "" {
		return current
	}
	if serial {
		if n, err := strconv.ParseFloat(s, 64); err == nil && n >= 1 && n < 2958466 {
			if t, err := excelize.ExcelDateToTime(n, false); err == nil {
				return t.Format("2006-01")
			}
		}
	}
	if m := monthForms.FindStringSubmatch(s); m != nil {
		mo, _ := strconv.Atoi(m[2])
		if mo >= 1 && mo <= 12 {
			return fmt.Sprintf("%s-%02d", m[1], mo)
		}
	}
	bad(reportsheet.HeaderPeriod, "应为月份，如 2025-06", fmt.Sprintf("%q is not a month such as 2025-06", s))
	return ""
}

// rowKey is a row's idempotency key: a digest of its duty and what it
// reports, so the same row uploaded again is the same request.
func rowKey(ref string, in ReportInput) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%s\x00%s", ref, in.Percent, in.Period, in.Note)
	return "bulk-report:" + hex.EncodeToString(h.Sum(nil))[:32]
}

// problemRows are the rows named by problems.
func problemRows(problems []RowProblem) map[int]bool {
	rows := map[int]bool{}
	for _, p := range problems {
		rows[p.Row] = true
	}
	return rows
}

// checkRows checks every row whose cells were read cleanly (not in bad)
// with ReportProgress's rules on the ledger as it stands, recording
// nothing: a row the ledger already holds (the same file uploaded again)
// is marked a duplicate.
func (s *Service) checkRows(ctx context.Context, p auth.Principal, rows []bulkRow, bad map[int]bool) []RowProblem {
	var problems []RowProblem
	for i := range rows {
		r := &rows[i]
		if bad[r.line.Row] {
			continue
		}
		pr, err := s.reportCommand(ctx, p, r.in)
		if err == nil {
			r.pr = pr
			r.dup, err = s.tryOut(ctx, p, pr)
		}
		if err != nil {
			zh, en := rowMessage(err)
			problems = append(problems, RowProblem{Row: r.line.Row, Column: columnOf(err), MsgZH: zh, Msg: en})
		}
	}
	return problems
}

// tryOut lets the domain decide a prepared command on its stream as it
// stands, without appending: whether it would be refused, and whether its
// key already recorded it.
func (s *Service) tryOut(ctx context.Context, p auth.Principal, pr prepared) (duplicate bool, err error) {
	if err := pr.cmd.Validate(); err != nil {
		return false, err
	}
	meta, err := s.meta(p, pr.scoped, pr.cmd, pr.effective)
	if err != nil {
		return false, err
	}
	stream := pr.cmd.Stream()
	agg, err := domain.NewAggregate(stream)
	if err != nil {
		return false, err
	}
	_, history, err := s.commands.Load(ctx, stream, agg)
	if err != nil {
		return false, err
	}
	if prior := command.RecordedBy(history, pr.scoped); len(prior) > 0 {
		if command.SameRequest(prior, meta) != nil {
			return false, errIdempotencyConflict()
		}
		return true, nil
	}
	_, err = domain.Decide(agg, pr.cmd, meta)
	return false, err
}

// recordRows records each checked row through ReportProgress. A refusal
// now (another writer changed a duty since the check) stops, naming the
// row and how many were recorded.
func (s *Service) recordRows(ctx context.Context, p auth.Principal, rows []bulkRow) (BulkReportResult, error) {
	var res BulkReportResult
	for _, r := range rows {
		if r.dup {
			res.Duplicates++
			continue
		}
		out, err := s.ReportProgress(ctx, p, r.in)
		if err != nil {
			code := CodeOf(err)
			if code == "" {
				return res, fmt.Errorf("bulk report, row %d: %w", r.line.Row, err)
			}
			zh, en := rowMessage(err)
			return res, newBulkError([]RowProblem{{Row: r.line.Row, Column: columnOf(err), MsgZH: zh, Msg: en}}, res.Recorded, code)
		}
		if out.Duplicate {
			res.Duplicates++
			continue
		}
		res.Recorded++
		res.Position = max(res.Position, out.Position)
	}
	return res, nil
}

// columnOf is the column a refusal speaks of, when it is one cell's.
func columnOf(err error) string {
	switch {
	case errors.Is(err, domain.ErrInvalidProgress):
		return reportsheet.HeaderPercent
	case errors.Is(err, domain.ErrInvalidDate):
		return reportsheet.HeaderPeriod
	}
	var ae *Error
	if errors.As(err, &ae) && strings.Contains(ae.Msg, "period") {
		return reportsheet.HeaderPeriod
	}
	return ""
}

// rowMessage says a refusal of one row in Chinese and English.
func rowMessage(err error) (zh, en string) {
	var ae *Error
	if errors.As(err, &ae) {
		return strings.ReplaceAll(ae.Chinese(), "period", "报告期"), ae.Msg
	}
	en = err.Error()
	switch {
	case errors.Is(err, domain.ErrInvalidProgress):
		return "低于上次报送的进度；调低进度时须在「进展情况」中说明原因", en
	case errors.Is(err, domain.ErrWithdrawn):
		return "这项任务责任已撤销或已调整，不能再报送", en
	case errors.Is(err, domain.ErrObligationClosed):
		return "这项任务责任已核验办结，不能再报送", en
	case errors.Is(err, domain.ErrNotHolder):
		return "这一行不是本单位的任务责任", en
	case errors.Is(err, domain.ErrNotFound):
		return "账本中没有这项任务责任", en
	case errors.Is(err, domain.ErrInvalidDate), errors.Is(err, domain.ErrInvalidArgument):
		return "报告期有误：不能晚于报送当月，也不能早于方案实施期", en
	case domain.CodeOf(err) != "":
		return "无法记录：" + en, en
	}
	return "无法记录（系统错误）", en
}
