package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"taskledger/domain"
	"taskledger/export"
	"taskledger/internal/termtable"
	"taskledger/projections"
)

func newRebuildCommand(a *cli) *cobra.Command {
	var (
		store     string
		pastEvery int
	)
	cmd := &cobra.Command{
		Use:   "rebuild",
		Short: "recompute every read model from the start of the log",
		Long: `Removes the read models' snapshots and past sets, recomputes every read
model from the start of the log and snapshots them, saving on the way the
past read models a server keeps for questions about the past (every
--past-every events, as taskledger serve keeps them).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if pastEvery < 0 {
				return fmt.Errorf("%w: --past-every %d is negative", errUsage, pastEvery)
			}
			return runRebuild(cmd.Context(), a, store, pastEvery)
		},
	}
	storeFlag(a, cmd.Flags(), &store)
	cmd.Flags().IntVar(&pastEvery, "past-every", projections.DefaultPastEvery, "save the read models as they stood every this many events on the way (0: none)")
	return cmd
}

func runRebuild(ctx context.Context, a *cli, store string, pastEvery int) error {
	l, err := a.openLedger(store, mustExist)
	if err != nil {
		return err
	}
	defer l.Close()
	if l.snapshots != "" {
		if err := os.RemoveAll(l.snapshots); err != nil {
			return fmt.Errorf("remove old snapshots: %w", err)
		}
	}
	m := a.readMeter(ctx, l.store, "重建读模型", "rebuild")
	views := projections.NewViews(projections.Config{})
	var past *projections.Past
	if l.snapshots != "" && pastEvery > 0 {
		past = projections.NewPast(filepath.Join(l.snapshots, projections.PastDir), pastEvery, views.Config, a.logger())
	}
	r := projections.NewRunner(withProgress(l.store, m, true, false), l.registry, views,
		projections.RunnerConfig{SnapshotDir: l.snapshots, Past: past, Logger: a.logger()})
	began := time.Now()
	n, err := r.CatchUp(ctx)
	if err != nil {
		m.Finish()
		return err
	}
	m.Complete()
	took := time.Since(began)
	if err := r.SnapshotAll(ctx); err != nil {
		return err
	}
	rate := float64(n) / took.Seconds()
	sets := ""
	if past != nil {
		if kept := len(past.Positions()); kept > 0 {
			sets = fmt.Sprintf(", saving %d past read-model sets (every %d events) included", kept, pastEvery)
		}
	}
	fmt.Fprintf(a.stdout, "rebuilt %d read models from %d events in %s (%.0f events/s%s); snapshots in %s\n",
		len(r.Views().Models()), n, took.Round(time.Millisecond), rate, sets, l.snapshots)
	return nil
}

// tickOptions are the flags of taskledger tick.
type tickOptions struct{ store string }

func newTickCommand(a *cli) *cobra.Command {
	var o tickOptions
	cmd := &cobra.Command{
		Use:   "tick",
		Short: "record the deadline slips and reminders (催办) due now",
		Long: `Records the deadline slips and the reminders that are due now, by this
machine's clock, as a running server's watcher does every minute: a
reminder (催办) N days before a due date, one when it is overdue (逾期催办),
and escalations (升级督办) to the task's lead unit after M days overdue and
to the supervising office after M more; N and M are the scoring scheme's
reminders settings (7 and 7 by default). It also records a rectification
slip (整改逾期) for every finding whose rectification date passed with
nothing reported by then. Running it twice records nothing
new. There is no way to tick at another moment: the ledger records when
things happen.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runTick(cmd.Context(), a, o) },
	}
	storeFlag(a, cmd.Flags(), &o.store)
	addPrincipalFlags(a, cmd.Flags())
	return cmd
}

func runTick(ctx context.Context, a *cli, o tickOptions) error {
	return a.withDoor(ctx, o.store, func(d door, _ *ledger) error {
		res, err := d.svc.Tick(ctx, d.who)
		if err != nil {
			return refusal(err)
		}
		out := res.Outcome
		fmt.Fprintf(a.stdout, "checked %d obligations at %s: %d deadline slips recorded\n", out.Checked, res.At.In(domain.Shanghai()).Format(time.RFC3339), len(out.Recorded))
		for _, r := range out.Recorded {
			var slip domain.DeadlineSlipped
			if err := json.Unmarshal(r.Events[0].Payload, &slip); err == nil {
				fmt.Fprintf(a.stdout, "  %s  milestone %s due %s  (position %d)\n", slip.Key().Path(), slip.Milestone, slip.Due, r.Position)
			}
		}
		printReminders(a, res.Reminders)
		printRectificationSlips(a, res.RectificationSlips)
		return nil
	})
}

// obligationStatuses are the statuses --status may name: the domain's and
// overdue.
var obligationStatuses = []string{"open", "overdue", "extended", "completion_claimed", "verified", "rejected", "withdrawn", "reassigned", "sent_back"}

// obligationsOptions are the flags of taskledger obligations.
type obligationsOptions struct {
	store, unit, status, format string
	cut                         *cutFlags
	remote                      *remoteFlags
}

func newObligationsCommand(a *cli) *cobra.Command {
	var o obligationsOptions
	cmd := &cobra.Command{
		Use:   "obligations --unit UNIT",
		Short: "what a unit owes, by when, and what is overdue",
		Long: `Lists what a unit owes, by when, and what is overdue, from the store, or
with --server from a running server's API (as the --token holder may see:
a bureau or county token sees its own unit, the default without --unit).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runObligations(cmd, a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	fs.StringVar(&o.unit, "unit", "", "the unit: its id, name or alias, e.g. 生态环境局 (required, except with --server and a unit's token)")
	fs.StringVar(&o.status, "status", "", "only this status: "+strings.Join(obligationStatuses, ", "))
	completeChoices(cmd, "status", obligationStatuses...)
	o.cut = addCutFlags(fs)
	formatFlag(cmd, &o.format, "table", "json")
	o.remote = addRemoteFlags(a, fs, true)
	return cmd
}

func runObligations(cmd *cobra.Command, a *cli, o obligationsOptions) error {
	ctx := cmd.Context()
	if o.status != "" && !slices.Contains(obligationStatuses, o.status) {
		return fmt.Errorf("%w: --status %q: choose %s", errUsage, o.status, strings.Join(obligationStatuses, ", "))
	}
	if err := checkFormat(o.format, "table", "json"); err != nil {
		return err
	}
	remote, err := o.remote.use(cmd, true)
	if err != nil {
		return err
	}
	if remote {
		if err := refuseWithServer(cmd, "at-position"); err != nil {
			return err
		}
		return remoteObligations(ctx, a, o)
	}
	if o.unit == "" {
		return fmt.Errorf("%w: --unit is required", errUsage)
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
	views := v.Obligations.Views(projections.Filter{Unit: u.ID, Status: o.status}, now, v.Config.YellowDays)
	list := obligationsJSON(v.Catalog, u, now, views)
	if o.format == "json" {
		return writeJSONOut(a.stdout, list)
	}
	return printObligations(a, list, func(plan string, task int) string {
		if t, ok := v.Catalog.Task(domain.PlanID(plan), domain.TaskNo(task)); ok {
			return t.Label
		}
		return ""
	})
}

// printObligations writes a unit's obligations as a table; label names a
// task (（十）), or "" when it has none.
func printObligations(a *cli, list obligationList, label func(plan string, task int) string) error {
	fmt.Fprintf(a.stdout, "%s：责任 %d 项，截至 %s（%d obligations）\n\n", list.UnitName, len(list.Obligations), list.AsOf.In(domain.Shanghai()).Format("2006-01-02 15:04"), len(list.Obligations))
	tab := termtable.New("任务", "角色", "状态", "灯", "下一期限", "进度", "延误", "标题").AlignRight(5).AlignRight(6)
	for _, ob := range list.Obligations {
		title := ""
		if ob.TaskTitle != nil {
			title = truncate(*ob.TaskTitle, 24)
		}
		next := "—"
		if ob.NextDue != nil {
			next = *ob.NextDue
		}
		lbl := label(ob.Plan, ob.Task)
		if lbl == "" {
			lbl = fmt.Sprintf("（%d）", ob.Task)
		}
		tab.Row(lbl, domain.Role(ob.Role).Label(), export.StatusZH(ob.Status), export.LightZH(ob.Light), next, fmt.Sprintf("%d%%", ob.Progress), itoa(ob.Slips), title)
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
