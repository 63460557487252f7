package app_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/evidence"
	"taskledger/evidence/evidencetest"
	"taskledger/projections/scoring"
)

// The supervision loop end to end (督查督办): one supporting duty on a task
// with a lead unit goes through assignment, a reminder, a report with
// evidence, a send-back, the resubmission, the lead's sign-off, a claim and
// its verification, a finding, the rectification, an appeal and a
// bulletin. After each step the supporter's scorecard explanation is
// checked: which lines speak of the duty, and which events they rest on.

// loop is the walk's state: the fixture, the task and the duty walked.
type loop struct {
	*fixture
	t    *testing.T
	ctx  context.Context
	lt   ledTask
	duty domain.ObligationKey // the supporting duty assigned in the walk
	unit auth.Principal       // the supporter's token
	lead auth.Principal       // the lead unit's token
}

// at moves the clock to 09:00 of a Shanghai day.
func (l *loop) at(y int, m time.Month, d int) {
	l.now = time.Date(y, m, d, 9, 0, 0, 0, shanghai)
}

// lines returns the supporter's scorecard lines about the walked duty, as
// of now.
func (l *loop) lines() []scoring.Line {
	l.t.Helper()
	l.sync()
	r, err := l.views.Views().Scorecards("chifeng-air", 2025, scoring.KindBureau, "", 0, l.now)
	if err != nil {
		l.t.Fatal(err)
	}
	var out []scoring.Line
	for _, c := range r.Cards {
		if c.Unit != l.duty.Unit {
			continue
		}
		for _, ln := range c.Lines {
			if ln.Obligation == l.duty.Path() {
				out = append(out, ln)
			}
		}
	}
	return out
}

// line returns the one line of a rule (by its last part) about the duty,
// failing when there is none.
func (l *loop) line(suffix string) scoring.Line {
	l.t.Helper()
	for _, ln := range l.lines() {
		if strings.HasSuffix(ln.Rule, suffix) {
			return ln
		}
	}
	l.t.Fatalf("no %s line about %s; lines: %+v", suffix, l.duty.Path(), l.lines())
	return scoring.Line{}
}

// noLine fails when a line of the rule speaks of the duty.
func (l *loop) noLine(step, suffix string) {
	l.t.Helper()
	for _, ln := range l.lines() {
		if strings.HasSuffix(ln.Rule, suffix) {
			l.t.Fatalf("%s: unexpected %s line %+v", step, suffix, ln)
		}
	}
}

// cites fails unless the line rests on every one of the events.
func cites(t *testing.T, step string, ln scoring.Line, ids ...uuid.UUID) {
	t.Helper()
	for _, id := range ids {
		if !slices.Contains(ln.Events, id) {
			t.Fatalf("%s: line %s does not cite event %s; it cites %v", step, ln.Rule, id, ln.Events)
		}
	}
}

// outsider finds a bureau that holds no duty on the task.
func (l *loop) outsider() domain.UnitID {
	l.t.Helper()
	held := map[domain.UnitID]bool{}
	for _, ob := range l.views.Views().Obligations.All() {
		if ob.Key.Task == l.lt.lead.Task {
			held[ob.Key.Unit] = true
		}
	}
	for _, ob := range l.views.Views().Obligations.All() {
		if strings.HasPrefix(string(ob.Key.Unit), "bureau.") && !held[ob.Key.Unit] {
			return ob.Key.Unit
		}
	}
	l.t.Fatal("every bureau holds a duty on the task")
	return ""
}

func TestSupervisionLoopEndToEnd(t *testing.T) {
	f := withEvidence(t, evidence.NewMemory(), 0)
	l := &loop{fixture: f, t: t, ctx: context.Background(), lt: f.ledTask()}
	l.lead = unitOf(l.lt.lead)
	l.assign()
	l.remind()
	report := l.reportWithEvidence()
	sendBack := l.sendBack(report)
	l.resubmit(sendBack)
	l.signOffAndClaim()
	finding := l.finding()
	l.rectify()
	l.appeal(finding)
	l.bulletin()
}

// assign: the office assigns an outside bureau as a supporter on the task
// and schedules its milestone; the new duty owes nothing yet.
func (l *loop) assign() {
	l.at(2025, 3, 10)
	u := l.outsider()
	l.duty = domain.ObligationKey{Plan: "chifeng-air", Task: l.lt.lead.Task, Unit: u, Role: domain.RoleSupport}
	l.unit = unitOf(l.duty)
	ref := refOf(l.duty)
	l.must(l.svc.AssignResponsibility(l.ctx, coordinator, app.AssignInput{Obligation: ref, Basis: "督查室交办", IdempotencyKey: "e2e-assign"}))
	l.must(l.svc.ScheduleMilestone(l.ctx, coordinator, app.ScheduleInput{Obligation: ref, Milestone: "m1", What: "配合完成现场核查",
		Due: domain.MustDate(2025, 5, 31), IdempotencyKey: "e2e-schedule"}))
	if got := l.lines(); len(got) != 0 {
		l.t.Fatalf("assigned: a fresh duty already has lines %+v", got)
	}
	l.lt.supports = append(l.lt.supports, l.duty)
}

// remind: seven days before the milestone's due date the watcher's tick
// records one reminder to the supporter, and a second tick none.
func (l *loop) remind() {
	ours := func(rs []recordedReminder) int {
		n := 0
		for _, r := range rs {
			if r.ObligationKey == l.duty {
				n++
			}
		}
		return n
	}
	l.tick(2025, 5, 24, 9)
	if n := ours(l.reminders()); n != 1 {
		l.t.Fatalf("reminded: %d reminders of the duty, want 1", n)
	}
	l.tick(2025, 5, 24, 10)
	if n := ours(l.reminders()); n != 1 {
		l.t.Fatalf("a second tick the same day: %d reminders of the duty, want still 1", n)
	}
}

// reportWithEvidence: the supporter uploads a PDF and reports April with
// it, late for April's reporting deadline (10 May), so the missed-report
// line for April cites the report.
func (l *loop) reportWithEvidence() uuid.UUID {
	l.at(2025, 5, 25)
	file, err := l.svc.UploadEvidence(l.ctx, l.unit, app.UploadInput{Name: "核查记录.pdf", Data: evidencetest.PDF("核查记录")})
	if err != nil {
		l.t.Fatal(err)
	}
	res := l.must(l.svc.ReportProgress(l.ctx, l.unit, app.ReportInput{Obligation: refOf(l.duty), Percent: 60, Period: "2025-04",
		Note: "已完成现场核查六成", IdempotencyKey: "e2e-report", Attachments: []app.EvidenceHandle{{SHA256: file.SHA256, Name: file.Name}}}))
	v := l.view(l.duty)
	if len(v.Evidence) != 1 || v.Evidence[0].Name != "核查记录.pdf" {
		l.t.Fatalf("report with evidence: the duty's evidence is %+v", v.Evidence)
	}
	return res.Events[0].ID
}

// sendBack: the lead sends the report back; the duty awaits
// resubmission, and the report no longer counts.
func (l *loop) sendBack(report uuid.UUID) uuid.UUID {
	l.at(2025, 5, 26)
	res := l.must(l.svc.SendBack(l.ctx, l.lead, app.SendBackInput{Obligation: refOf(l.duty), Target: "report",
		Reasons: "缺少核查照片", IdempotencyKey: "e2e-sendback"}))
	if _, ok := l.view(l.duty).Review.PendingSendBack(); !ok {
		l.t.Fatalf("sent back: the duty's view does not await resubmission: %+v", l.view(l.duty).Review)
	}
	ln := l.line(".report.missed")
	cites(l.t, "sent back", ln, report, res.Events[0].ID)
	if !strings.Contains(ln.ZH, "退回修改") {
		l.t.Fatalf("sent back: the explanation does not say the report was sent back: %s", ln.ZH)
	}
	return res.Events[0].ID
}

// resubmit: the supporter reports again; the send-back is answered.
func (l *loop) resubmit(sendBack uuid.UUID) {
	l.at(2025, 5, 27)
	res := l.must(l.svc.ReportProgress(l.ctx, l.unit, app.ReportInput{Obligation: refOf(l.duty), Percent: 100, Period: "2025-04",
		Note: "补充核查照片", IdempotencyKey: "e2e-resubmit"}))
	if _, ok := l.view(l.duty).Review.PendingSendBack(); ok {
		l.t.Fatal("resubmitted: the duty still awaits resubmission")
	}
	ln := l.line(".report.missed")
	cites(l.t, "resubmitted", ln, sendBack, res.Events[0].ID)
	if !strings.Contains(ln.ZH, "逾期补报") {
		l.t.Fatalf("resubmitted after April's deadline: the explanation does not say so: %s", ln.ZH)
	}
}

// signOffAndClaim: the supporter claims its milestone and an inspector
// verifies it before the due date, so no slip line; the lead cannot claim
// its own duty until it has signed off every supporter, then can.
func (l *loop) signOffAndClaim() {
	l.at(2025, 5, 28)
	l.must(l.svc.ClaimCompletion(l.ctx, l.unit, app.ClaimInput{Obligation: refOf(l.duty), Milestone: "m1", Evidence: "核查完成", IdempotencyKey: "e2e-claim"}))
	l.must(l.svc.VerifyCompletion(l.ctx, inspector, app.ClaimDecisionInput{Obligation: refOf(l.duty), Milestone: "m1", Note: "现场核实", IdempotencyKey: "e2e-verify"}))
	leadClaim := app.ClaimInput{Obligation: refOf(l.lt.lead), Evidence: "牵头任务完成", IdempotencyKey: "e2e-lead-claim"}
	before := l.head()
	_, err := l.svc.ClaimCompletion(l.ctx, l.lead, leadClaim)
	l.refused(err, app.SignOffPending, before)
	for i, s := range l.lt.supports {
		if s != l.duty {
			l.must(l.svc.ReportProgress(l.ctx, unitOf(s), app.ReportInput{Obligation: refOf(s), Percent: 100, IdempotencyKey: "e2e-r" + string(rune('a'+i))}))
		}
		l.must(l.svc.SignOffPart(l.ctx, l.lead, app.SignOffInput{Obligation: refOf(s), Note: "同意", IdempotencyKey: "e2e-s" + string(rune('a'+i))}))
	}
	l.must(l.svc.ClaimCompletion(l.ctx, l.lead, leadClaim))
	l.at(2025, 6, 1)
	l.noLine("claimed and verified before the due date", ".slip.support")
}

// finding: an inspector finds the report false and requires rectification
// by 20 June; the deduction cites the finding.
func (l *loop) finding() uuid.UUID {
	l.at(2025, 6, 2)
	res := l.must(l.svc.RecordFinding(l.ctx, inspector, app.FindingInput{Obligation: refOf(l.duty), Kind: "false_report", Severity: "major",
		Summary: "核查照片与现场不符", RectifyBy: domain.MustDate(2025, 6, 20), IdempotencyKey: "e2e-finding"}))
	id := res.Events[0].ID
	ln := l.line(".false_report")
	if ln.Points.String() == "0" || ln.Target != id {
		l.t.Fatalf("finding: line %+v, want a deduction that can be appealed against %s", ln, id)
	}
	cites(l.t, "finding", ln, id)
	return id
}

// rectify: the supporter reports the rectification with evidence and an
// inspector verifies it in time (appeal checks that no
// overdue-rectification line follows once the date has passed).
func (l *loop) rectify() {
	l.at(2025, 6, 10)
	file, err := l.svc.UploadEvidence(l.ctx, l.unit, app.UploadInput{Name: "整改报告.pdf", Data: evidencetest.PDF("整改报告")})
	if err != nil {
		l.t.Fatal(err)
	}
	in := app.RectificationInput{Obligation: refOf(l.duty), Finding: 1, Note: "已重新拍照核查", IdempotencyKey: "e2e-rectify",
		Attachments: []app.EvidenceHandle{{SHA256: file.SHA256, Name: file.Name}}}
	l.must(l.svc.ReportRectification(l.ctx, l.unit, in))
	l.must(l.svc.VerifyRectification(l.ctx, inspector, app.RectificationInput{Obligation: refOf(l.duty), Finding: 1, Note: "整改到位", IdempotencyKey: "e2e-rectified"}))
	if v := l.view(l.duty); len(v.Evidence) != 2 {
		l.t.Fatalf("rectified: the duty's evidence is %+v, want the report's and the rectification's", v.Evidence)
	}
}

// appeal: the supporter appeals the finding; the committee overturns it
// and the line shows the appeal and the ruling, at zero points.
func (l *loop) appeal(finding uuid.UUID) {
	l.at(2025, 6, 11)
	filed := l.must(l.svc.FileAppeal(l.ctx, l.unit, app.AppealInput{Obligation: refOf(l.duty), Target: finding.String(),
		Reasons: "照片拍摄时间有误，并非虚报", IdempotencyKey: "e2e-appeal"}))
	pending := l.line(".false_report")
	if pending.Appeal == nil || pending.Appeal.State != scoring.AppealPending || pending.Points.String() == "0" {
		l.t.Fatalf("appealed: line %+v, want the deduction standing with the appeal pending", pending)
	}
	l.at(2025, 6, 12)
	ruled := l.must(l.svc.RuleAppeal(l.ctx, committee, app.RulingInput{Obligation: refOf(l.duty), Appeal: 1, Outcome: "overturned",
		Reasons: "经复核属实", IdempotencyKey: "e2e-ruling"}))
	ln := l.line(".false_report")
	if ln.Points.String() != "0" || ln.Appeal == nil || ln.Appeal.State != scoring.AppealOverturned || !strings.Contains(ln.ZH, "撤销") {
		l.t.Fatalf("overturned: line %+v, want 0 points and the ruling", ln)
	}
	cites(l.t, "overturned", ln, finding, filed.Events[0].ID, ruled.Events[0].ID)
	l.at(2025, 6, 21)
	l.noLine("rectified before its date, which has passed", ".rectification.overdue")
}

// bulletin: the office issues May's bulletin; it lists the supporter's
// early completion, and issuing and rendering it again give the same bytes.
func (l *loop) bulletin() {
	l.at(2025, 6, 22)
	in := app.BulletinInput{Plan: "chifeng-air", Period: "2025-05", IdempotencyKey: "e2e-bulletin"}
	first, err := l.svc.IssueBulletin(l.ctx, coordinator, in)
	if err != nil {
		l.t.Fatal(err)
	}
	early := false
	for _, it := range first.Bulletin.Early {
		early = early || (it.Unit == l.duty.Unit && it.Milestone == "m1")
	}
	if !early {
		l.t.Fatalf("the bulletin does not list the supporter's early completion: %+v", first.Bulletin.Early)
	}
	l.sync()
	l.at(2025, 6, 23)
	again, err := l.svc.IssueBulletin(l.ctx, coordinator, in)
	if err != nil || !bytes.Equal(again.PDF, first.PDF) {
		l.t.Fatalf("the bulletin issued again (same key): err %v, same bytes %v", err, bytes.Equal(again.PDF, first.PDF))
	}
	issued, _, pdf, err := l.svc.Bulletin(l.ctx, coordinator, "chifeng-air", first.Issued.Year, first.Issued.Number)
	if err != nil || !issued.Verified || !bytes.Equal(pdf, first.PDF) {
		l.t.Fatalf("the bulletin rendered again: err %v, verified %v, same bytes %v", err, issued.Verified, bytes.Equal(pdf, first.PDF))
	}
}
