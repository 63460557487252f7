package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"taskledger/domain"
	"taskledger/internal/termtable"
	"taskledger/projections"
)

func newRebuildCommand(a *cli) *cobra.Command {
	var store string
	cmd := &cobra.Command{
		Use:   "rebuild",
		Short: "recompute every read model from the start of the log",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runRebuild(cmd.Context(), a, store) },
	}
	storeFlag(a, cmd.Flags(), &store)
	return cmd
}

func runRebuild(ctx context.Context, a *cli, store string) error {
	l, err := openLedger(store, mustExist)
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
		projections.RunnerConfig{SnapshotDir: l.snapshots, Logger: a.logger()})
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

// tickOptions are the flags of taskledger tick.
type tickOptions struct{ store string }

func newTickCommand(a *cli) *cobra.Command {
	var o tickOptions
	cmd := &cobra.Command{
		Use:   "tick",
		Short: "record the deadline slips due now",
		Long: `Records the deadline slips that are due now, by this machine's clock, as
a running server's watcher does every minute. There is no way to tick at
another moment: the ledger records when things happen.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runTick(cmd.Context(), a, o) },
	}
	storeFlag(a, cmd.Flags(), &o.store)
	addPrincipalFlags(a, cmd.Flags())
	return cmd
}

func runTick(ctx context.Context, a *cli, o tickOptions) error {
	l, err := openLedger(o.store, mustExist)
	if err != nil {
		return err
	}
	defer l.Close()
	d, err := l.open(ctx, a)
	if err != nil {
		return err
	}
	res, err := d.svc.Tick(ctx, d.who)
	if err != nil {
		return refusal(err)
	}
	out := res.Outcome
	fmt.Fprintf(a.stdout, "checked %d obligations at %s: %d deadline slips recorded\n", out.Checked, res.At.In(domain.Shanghai()).Format(time.RFC3339), len(out.Recorded))
	for _, r := range out.Recorded {
		var d domain.DeadlineSlipped
		if err := json.Unmarshal(r.Events[0].Payload, &d); err == nil {
			fmt.Fprintf(a.stdout, "  %s  milestone %s due %s  (position %d)\n", d.Key().Path(), d.Milestone, d.Due, r.Position)
		}
	}
	return nil
}

// obligationStatuses are the statuses --status may name: the domain's and
// overdue.
var obligationStatuses = []string{"open", "overdue", "extended", "completion_claimed", "verified", "rejected", "withdrawn", "reassigned"}

// obligationsOptions are the flags of taskledger obligations.
type obligationsOptions struct {
	store, unit, status, format string
	cut                         *cutFlags
}

func newObligationsCommand(a *cli) *cobra.Command {
	var o obligationsOptions
	cmd := &cobra.Command{
		Use:   "obligations --unit UNIT",
		Short: "what a unit owes, by when, and what is overdue",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runObligations(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	fs.StringVar(&o.unit, "unit", "", "the unit: its id, name or alias, e.g. 生态环境局 (required)")
	fs.StringVar(&o.status, "status", "", "only this status: "+strings.Join(obligationStatuses, ", "))
	completeChoices(cmd, "status", obligationStatuses...)
	o.cut = addCutFlags(fs)
	formatFlag(cmd, &o.format, "table", "json")
	return cmd
}

func runObligations(ctx context.Context, a *cli, o obligationsOptions) error {
	if o.unit == "" {
		return fmt.Errorf("%w: --unit is required", errUsage)
	}
	if o.status != "" && !slices.Contains(obligationStatuses, o.status) {
		return fmt.Errorf("%w: --status %q: choose %s", errUsage, o.status, strings.Join(obligationStatuses, ", "))
	}
	if err := checkFormat(o.format, "table", "json"); err != nil {
		return err
	}
	l, v, now, err := openAt(ctx, a, o.store, o.cut)
	if err != nil {
		return err
	}
	defer l.Close()
	u, err := v.Catalog.ResolveUnit(o.unit)
	if err != nil {
		return err
	}
	list := v.Obligations.Views(projections.Filter{Unit: u.ID, Status: o.status}, now, v.Config.YellowDays)
	if o.format == "json" {
		return writeJSONOut(a.stdout, obligationsJSON(v.Catalog, u, now, list))
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
