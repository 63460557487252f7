package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"taskledger/internal/msg"
	"taskledger/planparse"
)

const planParseLong = `Parses a plan document (实施方案 text, UTF-8, LF or CRLF) and prints its
tasks with their units and roles, deadlines and targets, then the warnings.
It reads only FILE and touches no ledger. --format json (or --json) prints
the parsed plan in the parser's own JSON (indented, UTF-8 unescaped).

Layouts read: tasks （三）… under chapters 一、…; items 1. / 1、 / 1﹒ / 1．
under （一） headings; items （1）/(1); a short notice whose chapters 一、
are its measures; and task tables saved as text (tab-separated rows under a
序号 / 牵头单位 / 配合单位 / 完成时限 header). Roles come from 牵头, 负责,
参与, 配合, 指导, 落实 and labels such as 牵头单位： / 责任单位： in brackets or
on lines of their own; standing directives (以下均需…落实, 列第一位为牵头单位，
下同) bind the tasks after them.

--year sets the plan year for deadlines that name only a month ("5月底");
default: the earliest year a deadline names, else the title's year, else the
year of the document's date line.

Each plan belongs to a jurisdiction (赤峰市, 包头市, 安徽省…), read from its
title or issuer line; --jurisdiction overrides it. --registry FILE seeds the
plan's units from a unit registry (JSON, see planparse.LoadRegistry), used
only when it describes the plan's jurisdiction; "none" treats every unit as
new. Without --registry, the embedded registry of the plan's jurisdiction is
used if one ships (Chifeng's), else none.

--explain prints, for each task, where each reading came from: each 单位
(unit) with its role and the plan's own words that gave it ("市发展改革委牵头",
"配合单位：市财政局", "以下均需各旗县区人民政府落实") and their line, each 集体
(collective phrase, not turned into units) and each 时限 (date) with its
phrase and line. Chinese first, English after.`

// newPlanCommand is the plan subcommand: work with plan documents.
func newPlanCommand(a *cli) *cobra.Command {
	return groupCommand("plan", "work with plan documents and change plans (plan parse FILE | schedule | reschedule | reassign)", "Work with plan documents.\n\n"+planChangeLong, newPlanParseCommand(a),
		newPlanScheduleCommand(a), newPlanRescheduleCommand(a), newPlanReassignCommand(a))
}

// planParseOptions are the flags of taskledger plan parse.
type planParseOptions struct {
	format, registry, jurisdiction string
	json, explain                  bool
	year                           int
}

func newPlanParseCommand(a *cli) *cobra.Command {
	var o planParseOptions
	cmd := &cobra.Command{
		Use:   "parse FILE",
		Short: "parse a plan text: tasks, units and roles, deadlines, targets, warnings",
		Long:  planParseLong,
		Args:  exactArgs(1, "exactly one FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPlanParse(cmd.Context(), a.stdout, o, args[0])
		},
	}
	fs := cmd.Flags()
	formatFlag(cmd, &o.format, "text", "json")
	fs.BoolVar(&o.json, "json", false, "print the plan as JSON (the same as --format json)")
	fs.IntVar(&o.year, "year", 0, "plan year for month-only deadlines")
	fs.StringVar(&o.registry, "registry", "", "unit registry JSON file, or none (default: the embedded registry of the plan's jurisdiction, if any)")
	fs.StringVar(&o.jurisdiction, "jurisdiction", "", "the place the plan governs, e.g. 包头市 (default: read from the title or issuer line)")
	fs.BoolVar(&o.explain, "explain", false, "show per task the words (and line) that gave each unit, role and date")
	return cmd
}

// runPlanParse implements `taskledger plan parse FILE`.
func runPlanParse(ctx context.Context, stdout io.Writer, o planParseOptions, file string) error {
	if err := checkFormat(o.format, "text", "json"); err != nil {
		return err
	}
	if o.explain && (o.json || o.format == "json") {
		return fmt.Errorf("%w: --explain prints text; the JSON already holds each reading's evidence and line", errUsage)
	}
	if o.year != 0 && (o.year < 1990 || o.year > 2100) {
		return fmt.Errorf("%w: --year %d is not a plausible plan year", errUsage, o.year)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	opts, err := planOptions(o)
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("open plan: %w", err)
	}
	defer f.Close()
	plan, err := planparse.Parse(f, opts)
	if err != nil {
		return fmt.Errorf("parse %s: %w", file, err)
	}
	if o.json || o.format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(plan); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
		return nil
	}
	if o.explain {
		return writePlanExplain(stdout, plan)
	}
	return writePlanSummary(stdout, plan)
}

// planOptions returns the parser's options the flags ask for.
func planOptions(o planParseOptions) (planparse.Options, error) {
	opts := planparse.Options{PlanYear: o.year, Jurisdiction: o.jurisdiction}
	switch o.registry {
	case "":
	case "none":
		opts.Registry = planparse.EmptyRegistry()
	default:
		src, err := readRegistryFile(o.registry)
		if err != nil {
			return opts, err
		}
		reg, err := planparse.LoadRegistry(bytes.NewReader(src))
		if err != nil {
			return opts, noticef(msg.CLIRegistryUnreadable, msg.Args{"File": o.registry}, err)
		}
		opts.Registry = reg
	}
	return opts, nil
}

// readRegistryFile reads a unit registry file named by --registry.
func readRegistryFile(name string) ([]byte, error) {
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("无法打开单位名录 / open registry: %w", err)
	}
	return src, nil
}

// writePlanSummary prints a readable account of a parsed plan.
func writePlanSummary(w io.Writer, p *planparse.Plan) error {
	var b strings.Builder
	known, unknown := 0, 0
	for _, u := range p.Units {
		if u.Known {
			known++
		} else {
			unknown++
		}
	}
	title := p.Title
	if title == "" {
		title = "(untitled plan)"
	}
	fmt.Fprintf(&b, "%s\n", title)
	if p.Jurisdiction != "" {
		fmt.Fprintf(&b, "jurisdiction %s\n", p.Jurisdiction)
	}
	fmt.Fprintf(&b, "%d tasks · %d chapters · %d units (%d known, %d new) · plan year %s · layout %s · %d warnings\n",
		len(p.Tasks), len(p.Chapters), len(p.Units), known, unknown, yearText(p.PlanYear), p.Layout, len(p.Warnings))
	if len(p.OverallTargets) > 0 {
		b.WriteString("\nOverall targets\n")
		for _, t := range p.OverallTargets {
			fmt.Fprintf(&b, "  - %s\n", targetText(t))
		}
	}
	chapter := ""
	for _, t := range p.Tasks {
		head := t.Chapter
		if t.Part != "" {
			head = t.Part + " / " + t.Chapter
		}
		if head != chapter {
			fmt.Fprintf(&b, "\n%s\n", head)
			chapter = head
		}
		fmt.Fprintf(&b, "\n%s %s\n", taskLabel(p.Layout, t.Number), t.Title)
		writeResponsibilities(&b, t)
		for _, c := range t.Collectives {
			if !heldByCollective(t, c) {
				fmt.Fprintf(&b, "    %-12s %s (collective, not a unit)\n", c.Role, c.Phrase)
			}
		}
		for _, d := range t.Deadlines {
			when := "due " + d.Due
			if d.Starts != "" {
				when = "from " + d.Starts
			} else if d.Due == "" {
				when = "date unknown"
			}
			what := d.What
			if d.Milestone != "" && d.Milestone != d.What {
				what = d.Milestone + " — " + d.What
			}
			fmt.Fprintf(&b, "    %-12s %s: %s [%s]\n", "deadline", when, clipText(what, 60), d.Phrase)
		}
		for _, tg := range t.Targets {
			fmt.Fprintf(&b, "    %-12s %s\n", "target", targetText(tg))
		}
	}
	if len(p.Warnings) > 0 {
		b.WriteString("\n")
		writeWarnings(&b, p.Warnings)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

// heldByCollective reports whether a collective phrase is also one of the
// task's duty-holders (already printed with its units).
func heldByCollective(t planparse.Task, c planparse.Collective) bool {
	for _, r := range t.Responsibilities {
		if r.Collective && r.Unit == c.Phrase && r.Bracket == c.Bracket {
			return true
		}
	}
	return false
}

// writeResponsibilities prints a task's units grouped by bracket and role.
func writeResponsibilities(b *strings.Builder, t planparse.Task) {
	type group struct {
		bracket int
		role    planparse.Role
		names   []string
		via     string // the standing directive's group, for bracket 0
	}
	var groups []*group
	find := func(bracket int, role planparse.Role) *group {
		for _, g := range groups {
			if g.bracket == bracket && g.role == role {
				return g
			}
		}
		g := &group{bracket: bracket, role: role}
		groups = append(groups, g)
		return g
	}
	brackets := 0
	for _, r := range t.Responsibilities {
		if r.Bracket > brackets {
			brackets = r.Bracket
		}
	}
	for _, r := range t.Responsibilities {
		name := r.Unit
		switch {
		case r.Collective:
			name += " (collective)"
		case !r.Known:
			name += " (new)"
		}
		g := find(r.Bracket, r.Role)
		g.names = append(g.names, name)
		if r.Bracket == 0 {
			g.via = r.AsWritten
		}
	}
	if len(groups) == 0 {
		b.WriteString("    (no units)\n")
	}
	for _, g := range groups {
		label := string(g.role)
		if g.bracket > 0 && brackets > 1 {
			label += fmt.Sprintf(" ·%d", g.bracket)
		}
		line := strings.Join(g.names, "、")
		if g.bracket == 0 {
			line += " (standing: " + g.via + "落实)"
		}
		fmt.Fprintf(b, "    %-12s %s\n", label, line)
	}
}

// targetText writes a target as one line.
func targetText(t planparse.Target) string {
	sym := map[planparse.Comparator]string{
		planparse.CmpLE: "≤", planparse.CmpLT: "<", planparse.CmpGE: "≥", planparse.CmpGT: ">",
		planparse.CmpEQ: "=", planparse.CmpApprox: "≈",
		planparse.CmpDecreaseBy: "down by", planparse.CmpIncreaseBy: "up by",
	}[t.Comparator]
	s := fmt.Sprintf("%s %s %s%s", t.Metric, sym, formatValue(t.Value), t.Unit)
	var extra []string
	if t.Bound != "" {
		extra = append(extra, strings.ReplaceAll(t.Bound, "_", " "))
	}
	if t.BaselineYear != 0 {
		extra = append(extra, fmt.Sprintf("vs %d", t.BaselineYear))
	}
	extra = append(extra, t.Scope)
	if t.Due != "" {
		extra = append(extra, "by "+t.Due)
	}
	if t.Aspirational {
		extra = append(extra, "力争")
	}
	return s + " (" + strings.Join(extra, ", ") + ")"
}

func formatValue(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
}

// taskLabel writes a task's number as its layout prints it: （三）, （1）,
// 一、 or 3.
func taskLabel(l planparse.Layout, n int) string {
	switch l {
	case planparse.LayoutParen:
		return "（" + cnNumber(n) + "）"
	case planparse.LayoutParenNumbers:
		return fmt.Sprintf("（%d）", n)
	case planparse.LayoutChapters:
		return cnNumber(n) + "、"
	}
	return fmt.Sprintf("%d.", n)
}

// cnNumber writes 1…99 as a Chinese numeral, as plans number their tasks.
func cnNumber(n int) string {
	const digits = "〇一二三四五六七八九"
	d := []rune(digits)
	switch {
	case n < 1 || n > 99:
		return fmt.Sprint(n)
	case n < 10:
		return string(d[n])
	case n < 20:
		return "十" + strings.TrimPrefix(string(d[n%10]), "〇")
	}
	return string(d[n/10]) + "十" + strings.TrimPrefix(string(d[n%10]), "〇")
}

func yearText(y int) string {
	if y == 0 {
		return "unknown"
	}
	return fmt.Sprint(y)
}

func clipText(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}

// roleZH names a role in Chinese first.
func roleZH(r planparse.Role) string {
	switch r {
	case planparse.RoleLead:
		return "牵头 LEAD"
	case planparse.RoleJoint:
		return "共同负责 JOINT"
	case planparse.RoleSupport:
		return "配合 SUPPORT"
	case planparse.RoleImplementing:
		return "落实 IMPLEMENTING"
	}
	return string(r)
}

// writePlanExplain prints, per task, the words of the plan behind each
// unit, role and date: 单位与角色, 集体 and 时限, with their lines.
func writePlanExplain(w io.Writer, p *planparse.Plan) error {
	var b strings.Builder
	title := p.Title
	if title == "" {
		title = "（无标题 untitled）"
	}
	fmt.Fprintf(&b, "%s\n%d 项任务 tasks · 计划年份 plan year %s\n", title, len(p.Tasks), yearText(p.PlanYear))
	for _, t := range p.Tasks {
		fmt.Fprintf(&b, "\n%s %s（第%d行 line %d）\n", taskLabel(p.Layout, t.Number), t.Title, t.Line, t.Line)
		explainUnits(&b, t)
		for _, c := range t.Collectives {
			fmt.Fprintf(&b, "  集体 collective  %s · %s（不拆分为单位 not turned into units）\n", c.Phrase, roleZH(c.Role))
		}
		explainDates(&b, t)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write explanation: %w", err)
	}
	return nil
}

// explainUnits prints each responsibility with the words that gave it.
func explainUnits(b *strings.Builder, t planparse.Task) {
	if len(t.Responsibilities) == 0 {
		b.WriteString("  单位 units  （无 none）\n")
	}
	for _, r := range t.Responsibilities {
		src := fmt.Sprintf("第%d个括号 bracket %d", r.Bracket, r.Bracket)
		if r.Bracket == 0 {
			src = "常设指示 standing directive"
		}
		name := r.Unit
		if !r.Known {
			name += "（新单位 new）"
		}
		fmt.Fprintf(b, "  单位 unit  %s · %s ← “%s”（第%d行 line %d，%s）\n", name, roleZH(r.Role), clipText(r.Evidence, 40), r.Line, r.Line, src)
	}
}

// explainDates prints each deadline with its phrase.
func explainDates(b *strings.Builder, t planparse.Task) {
	for _, d := range t.Deadlines {
		when := "截止 due " + d.Due
		switch {
		case d.Starts != "":
			when = "起始 starts " + d.Starts
		case d.Due == "":
			when = "日期不明 date unknown"
		}
		what := d.What
		if d.Milestone != "" {
			what = d.Milestone
		}
		fmt.Fprintf(b, "  时限 date  %s ← “%s”（第%d行 line %d）：%s\n", when, d.Phrase, d.Line, d.Line, clipText(what, 40))
	}
}
