package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"taskledger/app"
	"taskledger/bulletin"
	"taskledger/domain"
	"taskledger/internal/atomicfile"
	"taskledger/internal/msg"
)

const planChangeLong = `Plan changes by the plan office (督查督办办公室): the operator at this
machine, or a coordinator token (--token).

"plan schedule" adds a milestone to a unit's duty; "plan reschedule" moves a
milestone's baseline due date either way and needs --reason, which the
duty's history shows; "plan reassign" passes a duty to another unit (--to),
which takes its unverified milestones, and closes the old duty.

A duty is named by --task, --unit (id, name or alias) and --role (LEAD,
JOINT, SUPPORT or IMPLEMENTING). --key is the idempotency key; by default it
is made from the request, so running the same command again records nothing
new.`

const unitChangeLong = `Institutional changes of units, by the plan office.

"unit rename UNIT --name NEW" records a unit's new official name; the old
name still finds it and its history is unchanged. "unit merge UNIT --into
SUCCESSOR" passes the unit's open duties to the successor, then records the
merger: the unit takes no more commands, and its trail names the successor.
"unit split UNIT --into PART --into PART --heir PART" divides a unit: each
PART is an existing unit (id, name or alias) or a new one written ID=NAME,
registered with the divided unit's kind; the open duties pass to the heir,
which carries the history, and the office reassigns what the other parts
take up with "plan reassign".`

const bulletinLong = `Bulletins (通报) of a plan for a month (--period 2026-11) or a quarter
(--period 2026Q4).

"bulletin issue" computes the bulletin as of --as-of (default now) from the
log up to then: counts, overdue and soon-due duties, early completions and
the year's rankings; it records BulletinIssued with the next number of the
period's year (2026年第3期), the as-of point and the PDF's SHA-256, and with
-o writes the PDF. Issuing the same period again with the same request
returns the same bulletin; another request for an issued period is refused.

"bulletin list" lists the issued bulletins; "bulletin pdf --year Y --number
N -o FILE" renders one again from its as-of point, checks it against the
recorded digest and writes it (.html writes the print page).`

// changeOptions are the flags of the plan-change and unit commands.
type changeOptions struct {
	store, plan, unit, role, milestone, what, due, reason, to, toRole, name, key string
	task                                                                         int
}

func (o *changeOptions) dutyFlags(a *cli, fs *pflag.FlagSet) {
	storeFlag(a, fs, &o.store)
	addPrincipalFlags(a, fs)
	fs.StringVar(&o.plan, "plan", "", "the plan's id (default: the ledger's only plan)")
	fs.IntVar(&o.task, "task", 0, "the task's number")
	fs.StringVar(&o.unit, "unit", "", "the unit holding the duty: id, name or alias")
	fs.StringVar(&o.role, "role", "", "the duty's role: LEAD, JOINT, SUPPORT or IMPLEMENTING")
	fs.StringVar(&o.key, "key", "", "idempotency key (default: made from the request)")
}

func (o changeOptions) ref() app.ObligationRef {
	return app.ObligationRef{Plan: o.plan, Task: o.task, Unit: o.unit, Role: o.role}
}

// keyOf is --key, else a key made from the request's fields.
func (o changeOptions) keyOf(verb string, fields ...any) string {
	if o.key != "" {
		return o.key
	}
	return "cli-" + verb + ":" + strings.TrimSuffix(fmt.Sprintln(fields...), "\n")
}

func (o changeOptions) dueDate() (domain.Date, error) {
	if o.due == "" {
		return domain.Date{}, fmt.Errorf("%w: give --due YYYY-MM-DD", errUsage)
	}
	d, err := domain.ParseDate(o.due)
	if err != nil {
		return d, fmt.Errorf("%w: --due: %v", errUsage, err)
	}
	return d, nil
}

// recordChange runs one recording use case and prints its summary.
func (a *cli) recordChange(ctx context.Context, store string, run func(door) (app.Result, error)) error {
	return a.withDoor(ctx, store, func(d door, _ *ledger) error {
		res, err := run(d)
		if err != nil {
			return refusal(err)
		}
		a.printRecorded(res)
		return nil
	})
}

func (a *cli) printRecorded(res app.Result) {
	if res.Duplicate {
		fmt.Fprintf(a.stdout, "同一请求已记录过，未重复记录（位置 %d） · already recorded, nothing new (position %d)\n", res.Position, res.Position)
		return
	}
	types := make([]string, len(res.Events))
	for i, e := range res.Events {
		types[i] = e.Type
	}
	fmt.Fprintf(a.stdout, "已记录 %d 个事件，至位置 %d · recorded %d event(s) to position %d: %s\n", len(res.Events), res.Position, len(res.Events), res.Position, strings.Join(types, ", "))
}

func newPlanScheduleCommand(a *cli) *cobra.Command {
	var o changeOptions
	cmd := &cobra.Command{
		Use: "schedule --task N --unit UNIT --role ROLE --milestone ID --due DATE [--what TEXT]", Short: "add a milestone to a unit's duty (plan office)",
		Long: planChangeLong, Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			due, err := o.dueDate()
			if err != nil {
				return err
			}
			return a.recordChange(cmd.Context(), o.store, func(d door) (app.Result, error) {
				return d.svc.ScheduleMilestone(cmd.Context(), d.who, app.ScheduleInput{Obligation: o.ref(), Milestone: o.milestone, What: o.what, Due: due,
					IdempotencyKey: o.keyOf("schedule", o.plan, o.task, o.unit, o.role, o.milestone, o.due)})
			})
		},
	}
	o.dutyFlags(a, cmd.Flags())
	cmd.Flags().StringVar(&o.milestone, "milestone", "", "the new milestone's id within the duty, e.g. m2")
	cmd.Flags().StringVar(&o.what, "what", "", "what is due, in the plan's words")
	cmd.Flags().StringVar(&o.due, "due", "", "the due date, YYYY-MM-DD")
	return cmd
}

func newPlanRescheduleCommand(a *cli) *cobra.Command {
	var o changeOptions
	cmd := &cobra.Command{
		Use: "reschedule --task N --unit UNIT --role ROLE --milestone ID --due DATE --reason TEXT", Short: "move a milestone's due date, with the reason (plan office)",
		Long: planChangeLong, Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			due, err := o.dueDate()
			if err != nil {
				return err
			}
			return a.recordChange(cmd.Context(), o.store, func(d door) (app.Result, error) {
				return d.svc.RescheduleMilestone(cmd.Context(), d.who, app.RescheduleInput{Obligation: o.ref(), Milestone: o.milestone, Due: due, Reason: o.reason,
					IdempotencyKey: o.keyOf("reschedule", o.plan, o.task, o.unit, o.role, o.milestone, o.due, o.reason)})
			})
		},
	}
	o.dutyFlags(a, cmd.Flags())
	cmd.Flags().StringVar(&o.milestone, "milestone", "", "the milestone's id")
	cmd.Flags().StringVar(&o.due, "due", "", "the new due date, YYYY-MM-DD")
	cmd.Flags().StringVar(&o.reason, "reason", "", "why the date moves (required; shown in the history)")
	return cmd
}

func newPlanReassignCommand(a *cli) *cobra.Command {
	var o changeOptions
	cmd := &cobra.Command{
		Use: "reassign --task N --unit UNIT --role ROLE --to UNIT [--to-role ROLE] [--reason TEXT]", Short: "pass a duty to another unit (plan office)",
		Long: planChangeLong, Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.recordChange(cmd.Context(), o.store, func(d door) (app.Result, error) {
				return d.svc.ReassignResponsibility(cmd.Context(), d.who, app.ReassignInput{Obligation: o.ref(), ToUnit: o.to, ToRole: o.toRole, Reason: o.reason,
					IdempotencyKey: o.keyOf("reassign", o.plan, o.task, o.unit, o.role, o.to, o.toRole, o.reason)})
			})
		},
	}
	o.dutyFlags(a, cmd.Flags())
	cmd.Flags().StringVar(&o.to, "to", "", "the unit taking the duty over: id, name or alias")
	cmd.Flags().StringVar(&o.toRole, "to-role", "", "the role it takes (default: the same)")
	cmd.Flags().StringVar(&o.reason, "reason", "", "why")
	return cmd
}

// newUnitCommand is the unit subcommand: rename and merge.
func newUnitCommand(a *cli) *cobra.Command {
	return groupCommand("unit", "rename, merge or split units (unit rename | merge | split)", unitChangeLong, newUnitRenameCommand(a), newUnitMergeCommand(a),
		newUnitSplitCommand(a))
}

func (o *changeOptions) unitFlags(a *cli, fs *pflag.FlagSet) {
	storeFlag(a, fs, &o.store)
	addPrincipalFlags(a, fs)
	fs.StringVar(&o.reason, "reason", "", "why (e.g. the reform's document)")
	fs.StringVar(&o.key, "key", "", "idempotency key (default: made from the request)")
}

func newUnitRenameCommand(a *cli) *cobra.Command {
	var o changeOptions
	cmd := &cobra.Command{
		Use: "rename UNIT --name NEW", Short: "record a unit's new official name (plan office)", Long: unitChangeLong,
		Args: exactArgs(1, "the UNIT to rename"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.recordChange(cmd.Context(), o.store, func(d door) (app.Result, error) {
				return d.svc.RenameUnit(cmd.Context(), d.who, app.RenameInput{Unit: args[0], Name: o.name, Reason: o.reason,
					IdempotencyKey: o.keyOf("rename", args[0], o.name, o.reason)})
			})
		},
	}
	o.unitFlags(a, cmd.Flags())
	cmd.Flags().StringVar(&o.name, "name", "", "the new official name")
	return cmd
}

func newUnitMergeCommand(a *cli) *cobra.Command {
	var o changeOptions
	cmd := &cobra.Command{
		Use: "merge UNIT --into SUCCESSOR", Short: "merge a unit into a successor, handing over its open duties (plan office)", Long: unitChangeLong,
		Args: exactArgs(1, "the UNIT to merge"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withDoor(cmd.Context(), o.store, func(d door, _ *ledger) error {
				res, err := d.svc.MergeUnits(cmd.Context(), d.who, app.MergeInput{Unit: args[0], Into: o.to, Reason: o.reason,
					IdempotencyKey: o.keyOf("merge", args[0], o.to, o.reason)})
				if err != nil {
					return refusal(err)
				}
				fmt.Fprintf(a.stdout, "转交 %d 项未办结的任务责任 · handed over %d open duties\n", len(res.Handed), len(res.Handed))
				a.printRecorded(res.Result)
				return nil
			})
		},
	}
	o.unitFlags(a, cmd.Flags())
	cmd.Flags().StringVar(&o.to, "into", "", "the successor: id, name or alias")
	return cmd
}

func newUnitSplitCommand(a *cli) *cobra.Command {
	var o changeOptions
	var into []string
	cmd := &cobra.Command{
		Use: "split UNIT --into PART --into PART --heir PART", Short: "divide a unit into several, handing its open duties to the heir (plan office)", Long: unitChangeLong,
		Args: exactArgs(1, "the UNIT to split"),
		RunE: func(cmd *cobra.Command, args []string) error {
			parts := make([]app.SplitPart, len(into))
			for i, p := range into {
				id, name, _ := strings.Cut(p, "=")
				parts[i] = app.SplitPart{Unit: id, Name: name}
			}
			return a.withDoor(cmd.Context(), o.store, func(d door, _ *ledger) error {
				res, err := d.svc.SplitUnit(cmd.Context(), d.who, app.SplitInput{Unit: args[0], Into: parts, Heir: o.to, Reason: o.reason,
					IdempotencyKey: o.keyOf("split", args[0], into, o.to, o.reason)})
				if err != nil {
					return refusal(err)
				}
				fmt.Fprintf(a.stdout, "转交 %d 项未办结的任务责任 · handed over %d open duties\n", len(res.Handed), len(res.Handed))
				a.printRecorded(res.Result)
				return nil
			})
		},
	}
	o.unitFlags(a, cmd.Flags())
	cmd.Flags().StringArrayVar(&into, "into", nil, "a unit it becomes: an existing unit, or ID=NAME for a new one (repeat)")
	cmd.Flags().StringVar(&o.to, "heir", "", "the part that takes over the open duties: its id or name")
	return cmd
}

// bulletinOptions are the flags of the bulletin commands.
type bulletinOptions struct {
	store, plan, period, asOf, key, out string
	year, number                        int
}

// newBulletinCommand is the bulletin subcommand: issue, list and pdf.
func newBulletinCommand(a *cli) *cobra.Command {
	return groupCommand("bulletin", "issue and reproduce bulletins (通报) (bulletin issue | list | pdf)", bulletinLong,
		newBulletinIssueCommand(a), newBulletinListCommand(a), newBulletinPDFCommand(a))
}

func newBulletinIssueCommand(a *cli) *cobra.Command {
	var o bulletinOptions
	cmd := &cobra.Command{
		Use: "issue --period 2026-11|2026Q4 [--as-of TIME] [-o FILE.pdf]", Short: "issue a plan's bulletin for a month or quarter (plan office)",
		Long: bulletinLong, Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBulletinIssue(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	addPrincipalFlags(a, fs)
	fs.StringVar(&o.plan, "plan", "", "the plan's id (default: the ledger's only plan)")
	fs.StringVar(&o.period, "period", "", "the month (2026-11) or quarter (2026Q4)")
	fs.StringVar(&o.asOf, "as-of", "", "judge as of this date (end of day, Beijing time) or RFC 3339 time (default now)")
	fs.StringVar(&o.key, "key", "", "idempotency key (default: made from the request)")
	fs.StringVarP(&o.out, "out", "o", "", "write the PDF here")
	return cmd
}

func runBulletinIssue(ctx context.Context, a *cli, o bulletinOptions) error {
	in := app.BulletinInput{Plan: o.plan, Period: o.period, IdempotencyKey: o.key}
	if o.asOf != "" {
		t, err := parseInstant(o.asOf)
		if err != nil {
			return fmt.Errorf("%w: --as-of: %v", errUsage, err)
		}
		in.AsOf = &t
	}
	if in.IdempotencyKey == "" {
		in.IdempotencyKey = fmt.Sprintf("cli-bulletin:%s:%s:%s", o.plan, strings.ToUpper(o.period), o.asOf)
	}
	return a.withDoor(ctx, o.store, func(d door, _ *ledger) error {
		res, err := d.svc.IssueBulletin(ctx, d.who, in)
		if err != nil {
			return refusal(err)
		}
		b := res.Bulletin
		verb := "已印发"
		if res.Duplicate {
			verb = "此前已印发（同一请求）"
		}
		fmt.Fprintf(a.stdout, "%s%s %s（%s），数据截至账本位置 %d；逾期 %d 项，%d日内到期 %d 项，提前完成 %d 项\n",
			verb, b.Title(), b.NumberText(), b.Period.Chinese(), res.Issued.AsOfPosition, b.Counts.Overdue, bulletin.SoonDays, b.Counts.SoonDue, b.Counts.Early)
		fmt.Fprintf(a.stdout, "issued %d no. %d (%s) as of position %d; PDF SHA-256 %s\n", b.Year, b.Number, b.Period, res.Issued.AsOfPosition, res.Issued.Digest)
		return writeBulletinFile(a, o.out, res.PDF)
	})
}

func newBulletinListCommand(a *cli) *cobra.Command {
	var o bulletinOptions
	cmd := &cobra.Command{
		Use: "list [--plan PLAN]", Short: "list the issued bulletins", Long: bulletinLong, Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withDoor(cmd.Context(), o.store, func(d door, _ *ledger) error {
				list, err := d.svc.Bulletins(cmd.Context(), d.who, o.plan)
				if err != nil {
					return refusal(err)
				}
				if len(list) == 0 {
					fmt.Fprintln(a.stdout, "尚未印发通报 · no bulletin issued yet")
				}
				for _, b := range list {
					fmt.Fprintf(a.stdout, "%s\t%s\t截至位置 %d\t印发于 %s\t%s\n", b.NumberText, b.PeriodText, b.AsOfPosition,
						b.IssuedAt.In(domain.Shanghai()).Format("2006-01-02 15:04"), b.Digest)
				}
				return nil
			})
		},
	}
	storeFlag(a, cmd.Flags(), &o.store)
	addPrincipalFlags(a, cmd.Flags())
	cmd.Flags().StringVar(&o.plan, "plan", "", "the plan's id (default: the ledger's only plan)")
	return cmd
}

func newBulletinPDFCommand(a *cli) *cobra.Command {
	var o bulletinOptions
	cmd := &cobra.Command{
		Use: "pdf --year Y --number N -o FILE.pdf|FILE.html", Short: "render an issued bulletin again and check its digest", Long: bulletinLong, Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBulletinPDF(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	addPrincipalFlags(a, fs)
	fs.StringVar(&o.plan, "plan", "", "the plan's id (default: the ledger's only plan)")
	fs.IntVar(&o.year, "year", 0, "the bulletin's year")
	fs.IntVar(&o.number, "number", 0, "the bulletin's number within the year")
	fs.StringVarP(&o.out, "out", "o", "", "the file to write: .pdf, or .html for the print page")
	return cmd
}

func runBulletinPDF(ctx context.Context, a *cli, o bulletinOptions) error {
	if o.out == "" || o.year == 0 || o.number == 0 {
		return fmt.Errorf("%w: give --year, --number and -o FILE", errUsage)
	}
	return a.withDoor(ctx, o.store, func(d door, _ *ledger) error {
		ib, b, pdf, err := d.svc.Bulletin(ctx, d.who, o.plan, o.year, o.number)
		if err != nil {
			return refusal(err)
		}
		if !ib.Verified {
			return noticef(msg.CLIBulletinNotReproduced, msg.Args{"Digest": ib.Digest}, nil)
		}
		fmt.Fprintf(a.stdout, "%s 已按截至位置 %d 重新生成，与记录的摘要一致 · reproduced from position %d; digest %s matches\n", ib.NumberText, ib.AsOfPosition, ib.AsOfPosition, ib.Digest)
		if strings.HasSuffix(strings.ToLower(o.out), ".html") {
			page, err := bulletin.HTML(b)
			if err != nil {
				return err
			}
			return writeBulletinFile(a, o.out, page)
		}
		return writeBulletinFile(a, o.out, pdf)
	})
}

func writeBulletinFile(a *cli, name string, body []byte) error {
	if name == "" {
		return nil
	}
	if err := atomicfile.Write(name, body, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "已写出 %s · wrote %s\n", name, name)
	return nil
}
