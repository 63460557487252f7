package audit

import (
	"fmt"
	"strconv"

	"taskledger/domain"
	"taskledger/projections/scoring"
)

var roleZH = map[domain.Role]string{
	domain.RoleLead:         "牵头",
	domain.RoleJoint:        "共同负责",
	domain.RoleSupport:      "配合",
	domain.RoleImplementing: "落实",
}

func role(r domain.Role) string {
	if s, ok := roleZH[r]; ok {
		return s
	}
	return string(r)
}

var metricZH = map[domain.Metric]string{
	domain.MetricPM25:               "PM2.5浓度",
	domain.MetricGoodDayRatio:       "优良天数比例",
	domain.MetricHeavyPollutionDays: "重污染天数",
	domain.MetricNOxReduction:       "氮氧化物减排量（吨）",
	domain.MetricVOCsReduction:      "挥发性有机物减排量（吨）",
	domain.MetricNOxEmissions:       "氮氧化物排放量（吨）",
	domain.MetricVOCsEmissions:      "挥发性有机物排放量（吨）",
}

func metric(m domain.Metric) string {
	if s, ok := metricZH[m]; ok {
		return s
	}
	return string(m)
}

// Names gives Summarize the words for what events name by id.
type Names struct {
	// Unit returns a unit's display name.
	Unit func(domain.UnitID) string
	// Milestone returns what a milestone of an obligation is, in the
	// plan's words, or "" when it is not known; nil knows none.
	Milestone func(domain.ObligationKey, domain.MilestoneID) string
}

// maxMilestoneWords is how much of a milestone's wording a one-line
// summary keeps.
const maxMilestoneWords = 30

// milestone names milestone m of obligation k: by its wording where it is
// known, else by its id.
func (n Names) milestone(k domain.ObligationKey, m domain.MilestoneID) string {
	if m == "" {
		return "全部任务"
	}
	if n.Milestone != nil {
		if w := n.Milestone(k, m); w != "" {
			return milestoneWords(w)
		}
	}
	return "节点" + string(m)
}

// milestoneWords names a milestone by its wording, shortened for one line.
func milestoneWords(what string) string {
	if r := []rune(what); len(r) > maxMilestoneWords {
		what = string(r[:maxMilestoneWords]) + "…"
	}
	return "节点「" + what + "」"
}

func note(prefix, s string) string {
	if s == "" {
		return ""
	}
	r := []rune(s)
	if len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return prefix + s
}

// Summarize says in one line of Chinese what an event changed, naming
// units and milestones with n.
func Summarize(data domain.EventData, n Names) string {
	name := n.Unit
	milestone := n.milestone
	obl := func(k domain.ObligationKey) string {
		return fmt.Sprintf("%s（%s）第%d项", name(k.Unit), role(k.Role), k.Task)
	}
	switch d := data.(type) {
	case domain.PlanRegistered:
		return fmt.Sprintf("登记方案《%s》", d.Title)
	case domain.SchemeAdopted:
		return fmt.Sprintf("采用%d年度考核办法：%s", d.Year, scoring.SchemeLabel(d.Scheme, d.Version))
	case domain.ScorecardPublished:
		return fmt.Sprintf("公布%d年度%s考核结果（截至日志位置%d）", d.Year, scoring.Kind(d.Kind).Label(), d.AsOfPosition)
	case domain.TaskRegistered:
		return fmt.Sprintf("登记任务第%d项：%s", d.Task, d.Title)
	case domain.TaskAmended:
		return fmt.Sprintf("修改任务第%d项%s", d.Task, note("：", d.Reason))
	case domain.UnitRegistered:
		return fmt.Sprintf("登记单位%s", d.Name)
	case domain.UnitRenamed:
		return fmt.Sprintf("单位更名：%s → %s", d.OldName, d.NewName)
	case domain.UnitMerged:
		return fmt.Sprintf("%s并入%s", name(d.Unit), name(d.Into))
	case domain.IndicatorMeasured:
		period := d.Period.String()
		if d.Day != nil {
			period = d.Day.String()
		}
		s := fmt.Sprintf("%s %s %s为%s", name(d.Unit), period, metric(d.Metric), strconv.FormatFloat(d.Value, 'f', -1, 64))
		switch {
		case d.Metric == domain.MetricGoodDayRatio && d.ValidDays > 0:
			s = fmt.Sprintf("%s %s %s为%d/%d天", name(d.Unit), period, metric(d.Metric), d.GoodDays, d.ValidDays)
		case d.ValidDays > 0:
			s += fmt.Sprintf("（有效天数%d天）", d.ValidDays)
		}
		if d.Revision {
			s += "（更正）"
		}
		return s
	case domain.ResponsibilityAssigned:
		return fmt.Sprintf("明确%s责任", obl(d.Key()))
	case domain.ResponsibilityReassigned:
		return fmt.Sprintf("%s责任转交%s（%s）%s", obl(d.Key()), name(d.ToUnit), role(d.ToRole), note("：", d.Reason))
	case domain.ResponsibilityWithdrawn:
		return fmt.Sprintf("撤销%s责任%s", obl(d.Key()), note("：", d.Reason))
	case domain.MilestoneScheduled:
		ms := milestoneWords(d.What)
		if d.What == "" {
			ms = milestone(d.Key(), d.Milestone)
		}
		return fmt.Sprintf("%s %s 期限%s", obl(d.Key()), ms, d.Due)
	case domain.MilestoneRescheduled:
		return fmt.Sprintf("%s %s 期限由%s改为%s", obl(d.Key()), milestone(d.Key(), d.Milestone), d.PreviousDue, d.Due)
	case domain.ProgressReported:
		return fmt.Sprintf("%s报告%s进度%d%%（原%d%%）", obl(d.Key()), d.Period, int(d.Percent), int(d.Previous)) + evidenceNote(d.Attachments)
	case domain.ExtensionRequested:
		return fmt.Sprintf("%s申请%s延期：%s → %s", obl(d.Key()), milestone(d.Key(), d.Milestone), d.CurrentDue, d.RequestedDue)
	case domain.ExtensionGranted:
		return fmt.Sprintf("批准%s %s延期至%s（原%s）", obl(d.Key()), milestone(d.Key(), d.Milestone), d.Due, d.PreviousDue)
	case domain.ExtensionRefused:
		return fmt.Sprintf("不予批准%s %s延期至%s%s", obl(d.Key()), milestone(d.Key(), d.Milestone), d.RequestedDue, note("：", d.Reason))
	case domain.DeadlineSlipped:
		return fmt.Sprintf("%s %s 逾期（期限%s）", obl(d.Key()), milestone(d.Key(), d.Milestone), d.Due)
	case domain.CompletionClaimed:
		return fmt.Sprintf("%s申报%s完成", obl(d.Key()), milestone(d.Key(), d.Milestone)) + evidenceNote(d.Attachments)
	case domain.CompletionVerified:
		return fmt.Sprintf("核实%s %s已完成", obl(d.Key()), milestone(d.Key(), d.Milestone))
	case domain.CompletionRejected:
		return fmt.Sprintf("驳回%s %s完成申报%s", obl(d.Key()), milestone(d.Key(), d.Milestone), note("：", d.Reason))
	case domain.FindingRecorded:
		return fmt.Sprintf("对%s记录第%d项问题（%s，%s）：%s", obl(d.Key()), d.Finding, findingKindZH(d.Kind), severityZH(d.Severity), note("", d.Summary))
	case domain.RectificationDue:
		return fmt.Sprintf("%s第%d项问题限期%s整改", obl(d.Key()), d.Finding, d.Due)
	case domain.RectificationCompleted:
		return fmt.Sprintf("%s第%d项问题整改完成", obl(d.Key()), d.Finding) + evidenceNote(d.Attachments)
	case domain.ReminderRecorded:
		return ReminderText(d, n)
	case domain.ReminderDelivered:
		return fmt.Sprintf("催办已通过%s送达%s", channelZH(d.Channel), obl(d.Key()))
	case domain.WorkSentBack:
		return fmt.Sprintf("%s退回%s%s修改%s", sentBackBy(d.By, name), obl(d.Key()), sentBackWhat(d, n), note("：", d.Reasons))
	case domain.CommentPosted:
		return fmt.Sprintf("%s第%d条意见%s", obl(d.Key()), d.Comment, note("：", d.Text))
	case domain.PartSignedOff:
		return fmt.Sprintf("牵头单位%s签收%s%s", name(d.By), obl(d.Key()), note("：", d.Note))
	case domain.RectificationVerified:
		return fmt.Sprintf("核实%s第%d项问题整改到位%s", obl(d.Key()), d.Finding, note("：", d.Note))
	case domain.RectificationRejected:
		return fmt.Sprintf("退回%s第%d项问题整改%s", obl(d.Key()), d.Finding, note("：", d.Reason))
	case domain.RectificationSlipped:
		return fmt.Sprintf("%s第%d项问题整改逾期（期限%s）", obl(d.Key()), d.Finding, d.Due)
	case domain.AppealFiled:
		return fmt.Sprintf("%s提出第%d号申诉（针对%s）%s", obl(d.Key()), d.Appeal, appealTargetZH(d.Kind), note("：", d.Reasons))
	case domain.AppealRuled:
		return fmt.Sprintf("考核委员会裁定%s第%d号申诉：%s%s", obl(d.Key()), d.Appeal, appealOutcomeZH(d.Outcome), note("，", d.Reasons))
	}
	return data.EventType()
}

// findingKindZH names a kind of inspection finding as the dashboard does.
func findingKindZH(k domain.FindingKind) string {
	switch k {
	case domain.FindingFalseReport:
		return "弄虚作假"
	case domain.FindingOther:
		return "其他问题"
	}
	return string(k)
}

// severityZH names a finding's severity as the dashboard does.
func severityZH(s domain.Severity) string {
	switch s {
	case domain.SeverityMinor:
		return "一般"
	case domain.SeverityMajor:
		return "较重"
	case domain.SeveritySevere:
		return "严重"
	}
	return string(s)
}

// ReminderLabel names a reminder kind in Chinese: 催办, 逾期催办 or 升级督办.
func ReminderLabel(k domain.ReminderKind) string {
	switch k {
	case domain.ReminderDueSoon:
		return "催办"
	case domain.ReminderOverdue:
		return "逾期催办"
	case domain.ReminderEscalatedLead, domain.ReminderEscalatedOffice:
		return "升级督办"
	}
	return string(k)
}

// ReminderText says in one line of Chinese what a reminder asks and of
// whom, naming units and milestones with n.
func ReminderText(d domain.ReminderRecorded, n Names) string {
	name := n.Unit
	holder := fmt.Sprintf("%s（%s）第%d项%s", name(d.Unit), role(d.Role), d.Task, n.milestone(d.Key(), d.Milestone))
	switch d.Kind {
	case domain.ReminderDueSoon:
		return fmt.Sprintf("催办：%s将于%s到期，请按时办结", holder, d.Due)
	case domain.ReminderOverdue:
		return fmt.Sprintf("逾期催办：%s已于%s到期，尚未办结，请抓紧办理", holder, d.Due)
	case domain.ReminderEscalatedLead:
		return fmt.Sprintf("升级督办（牵头单位%s）：%s逾期%d天（期限%s），请督促办理", name(d.To), holder, d.DaysOverdue, d.Due)
	case domain.ReminderEscalatedOffice:
		return fmt.Sprintf("升级督办（督查办公室）：%s逾期%d天（期限%s），请督查督办", holder, d.DaysOverdue, d.Due)
	}
	return fmt.Sprintf("%s：%s（期限%s）", ReminderLabel(d.Kind), holder, d.Due)
}

// channelZH names a delivery channel in Chinese.
func channelZH(ch string) string {
	switch ch {
	case "webhook":
		return "网络回调（webhook）"
	case "smtp":
		return "电子邮件"
	case "nats":
		return "消息队列（NATS）"
	case "amqp":
		return "消息队列（AMQP）"
	}
	return ch
}

// sentBackBy names who sent work back: the lead unit, or the supervising
// side (an inspector or the office) when no unit is named.
func sentBackBy(by domain.UnitID, name func(domain.UnitID) string) string {
	if by == "" {
		return "督查"
	}
	return "牵头单位" + name(by)
}

// sentBackWhat names what was sent back: the numbered report or the claim.
func sentBackWhat(d domain.WorkSentBack, n Names) string {
	if d.Target == domain.SendBackReport {
		return fmt.Sprintf("第%d次进展报告", d.Report)
	}
	return n.milestone(d.Key(), d.Milestone) + "完成申报"
}

// appealTargetZH names what an appeal is against, in Chinese.
func appealTargetZH(k domain.AppealTargetKind) string {
	switch k {
	case domain.AppealSlip:
		return "逾期扣分"
	case domain.AppealFinding:
		return "督查问题"
	}
	return string(k)
}

// appealOutcomeZH names a ruling in Chinese.
func appealOutcomeZH(o domain.AppealOutcome) string {
	switch o {
	case domain.AppealUpheld:
		return "维持扣分"
	case domain.AppealOverturned:
		return "撤销扣分"
	}
	return string(o)
}
