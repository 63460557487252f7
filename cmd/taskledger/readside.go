package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"taskledger/deadline"
	"taskledger/domain"
	"taskledger/internal/termtable"
	"taskledger/projections"
)

func runRebuild(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "rebuild", "[--store DIR]")
	store := storeFlag(a, fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	l, err := openLedger(*store)
	if err != nil {
		return err
	}
	defer l.Close()
	if l.snapshots != "" {
		if err := os.RemoveAll(l.snapshots); err != nil {
			return fmt.Errorf("remove old snapshots: %w", err)
		}
	}
	r := projections.NewRunner(l.store, l.registry, projections.NewViews(projections.Config{}),
		projections.RunnerConfig{SnapshotDir: l.snapshots, Logger: quietLogger(a)})
	began := time.Now()
	n, err := r.CatchUp(ctx)
	if err != nil {
		return err
	}
	took := time.Since(began)
	if err := r.SnapshotAll(ctx); err != nil {
		return err
	}
	rate := float64(n) / took.Seconds()
	fmt.Fprintf(a.stdout, "rebuilt %d read models from %d events in %s (%.0f events/s); snapshots in %s\n",
		len(r.Views().Models()), n, took.Round(time.Millisecond), rate, l.snapshots)
	return nil
}

func runTick(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "tick", "[--store DIR] [--now TIME]")
	store := storeFlag(a, fs)
	nowFlag := fs.String("now", "", "the time to check deadlines at: a date (its end, Asia/Shanghai) or RFC 3339; default the clock")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	now := a.now()
	if *nowFlag != "" {
		t, err := parseInstant(*nowFlag)
		if err != nil {
			return fmt.Errorf("%w: --now: %v", errUsage, err)
		}
		now = t
	}
	l, err := openLedger(*store)
	if err != nil {
		return err
	}
	defer l.Close()
	v, err := l.views(ctx, projections.Cut{}, quietLogger(a))
	if err != nil {
		return err
	}
	out, err := deadline.New(l.handler, v.Obligations, quietLogger(a)).Tick(ctx, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "checked %d obligations at %s: %d deadline slips recorded\n", out.Checked, now.In(domain.Shanghai()).Format(time.RFC3339), len(out.Recorded))
	for _, r := range out.Recorded {
		var d domain.DeadlineSlipped
		if err := json.Unmarshal(r.Events[0].Payload, &d); err == nil {
			fmt.Fprintf(a.stdout, "  %s  milestone %s due %s  (position %d)\n", d.Key().Path(), d.Milestone, d.Due, r.Position)
		}
	}
	return nil
}

func runObligations(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "obligations", "--unit UNIT [--status S] [--as-of TIME] [--format table|json] [--store DIR]")
	store := storeFlag(a, fs)
	unit := fs.String("unit", "", "the unit: its id, name or alias, e.g. 生态环境局 (required)")
	status := fs.String("status", "", "only this status: open, overdue, extended, completion_claimed, verified, rejected, withdrawn")
	cf := addCutFlags(fs)
	format := formatFlag(fs, "table", "json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *unit == "" {
		return fmt.Errorf("%w: --unit is required", errUsage)
	}
	if err := checkFormat(*format, "table", "json"); err != nil {
		return err
	}
	l, v, now, err := openAt(ctx, a, *store, cf)
	if err != nil {
		return err
	}
	defer l.Close()
	u, err := v.Catalog.ResolveUnit(*unit)
	if err != nil {
		return err
	}
	list := v.Obligations.Views(projections.Filter{Unit: u.ID, Status: *status}, now, v.Config.YellowDays)
	if *format == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"unit": u.ID, "name": u.Name, "as_of": now, "obligations": list})
	}
	fmt.Fprintf(a.stdout, "%s (%s): %d obligations, as of %s\n\n", u.Name, u.ID, len(list), now.In(domain.Shanghai()).Format("2006-01-02 15:04"))
	tab := termtable.New("任务", "角色", "状态", "灯", "下一期限", "进度", "延误", "标题").AlignRight(5).AlignRight(6)
	for _, ov := range list {
		title := ""
		if t, ok := v.Catalog.Task(ov.Plan, ov.Task); ok {
			title = truncate(t.Title, 24)
		}
		next := "—"
		if !ov.NextDue.IsZero() {
			next = ov.NextDue.String()
		}
		label := fmt.Sprintf("（%d）", ov.Task)
		if t, ok := v.Catalog.Task(ov.Plan, ov.Task); ok && t.Label != "" {
			label = t.Label
		}
		tab.Row(label, ov.Role.Label(), ov.Status, string(ov.Light), next, fmt.Sprintf("%d%%", ov.Progress), itoa(ov.Slips), title)
	}
	return tab.Write(a.stdout)
}

// truncate shortens s to n runes, marking the cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
