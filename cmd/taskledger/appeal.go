package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"taskledger/app"
	"taskledger/domain"
)

const appealLong = `Appeals (申诉) against deductions, for the assessment committee.

"appeal list" prints the pending appeals (with --all, the ruled too): the
unit, the task, what was appealed and why. "appeal rule" records the
committee's ruling on one: --outcome upheld keeps the deduction,
overturned removes it; --reasons are required and an appeal is ruled once.
Both act as the --token holder (ruling needs a committee token), or without
one as the operator at this machine, who may rule as the committee may.
Units file appeals from the dashboard or the API (fileAppeal).`

// newAppealCommand is the appeal subcommand: list and rule.
func newAppealCommand(a *cli) *cobra.Command {
	return groupCommand("appeal", "appeals against deductions (appeal list | rule)", appealLong,
		newAppealListCommand(a), newAppealRuleCommand(a))
}

// appealListOptions are the flags of appeal list.
type appealListOptions struct {
	store, plan, unit string
	all               bool
}

func newAppealListCommand(a *cli) *cobra.Command {
	var o appealListOptions
	cmd := &cobra.Command{
		Use:   "list [--all] [--plan PLAN] [--unit UNIT]",
		Short: "print the pending appeals (--all: the ruled too)",
		Long:  appealLong,
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runAppealList(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	addPrincipalFlags(a, fs)
	fs.StringVar(&o.plan, "plan", "", "the plan's id (default: every plan)")
	fs.StringVar(&o.unit, "unit", "", "only this unit: id, name or alias")
	fs.BoolVar(&o.all, "all", false, "list ruled appeals too")
	return cmd
}

func runAppealList(ctx context.Context, a *cli, o appealListOptions) error {
	return a.withDoor(ctx, o.store, func(d door, _ *ledger) error {
		items, err := d.svc.Appeals(ctx, d.who, app.AppealFilter{Plan: o.plan, Unit: o.unit, AlsoRuled: o.all})
		if err != nil {
			return refusal(err)
		}
		fmt.Fprintf(a.stdout, "申诉 %d 项 / %d appeals\n", len(items), len(items))
		for _, it := range items {
			fmt.Fprintf(a.stdout, "%s  第%d项任务（%s）第%d号申诉  %s\n", it.UnitName, it.Obligation.Task,
				it.Obligation.Role.Label(), it.Appeal.No, appealStateZH(it.Appeal))
			fmt.Fprintf(a.stdout, "  申诉事项：%s\n  申诉理由：%s（%s提出）\n", it.About, it.Appeal.Reasons, domain.DateOf(it.Appeal.FiledAt))
			if !it.Appeal.Pending() {
				fmt.Fprintf(a.stdout, "  裁决理由：%s（%s裁决）\n", it.Appeal.RulingReason, domain.DateOf(it.Appeal.RuledAt))
			}
		}
		return nil
	})
}

func appealStateZH(a domain.Appeal) string {
	switch a.Outcome {
	case domain.AppealUpheld:
		return "已裁决：维持扣分 / upheld"
	case domain.AppealOverturned:
		return "已裁决：撤销扣分 / overturned"
	}
	return "待裁决 / pending"
}

// appealRuleOptions are the flags of appeal rule.
type appealRuleOptions struct {
	store, plan, unit, role, outcome, reasons, key string
	task, appeal                                   int
}

func newAppealRuleCommand(a *cli) *cobra.Command {
	var o appealRuleOptions
	cmd := &cobra.Command{
		Use:   "rule --task N --unit UNIT --role ROLE --appeal N --outcome upheld|overturned --reasons TEXT",
		Short: "record the committee's ruling on an appeal",
		Long:  appealLong,
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runAppealRule(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	addPrincipalFlags(a, fs)
	fs.StringVar(&o.plan, "plan", "", "the plan's id (default: the ledger's only plan)")
	fs.IntVar(&o.task, "task", 0, "the task's number")
	fs.StringVar(&o.unit, "unit", "", "the appealing unit: id, name or alias")
	fs.StringVar(&o.role, "role", "", "the unit's role on the task: LEAD, JOINT, SUPPORT or IMPLEMENTING")
	fs.IntVar(&o.appeal, "appeal", 0, "the appeal's number, as appeal list prints it")
	fs.StringVar(&o.outcome, "outcome", "", "upheld (the deduction stands) or overturned (it is removed)")
	fs.StringVar(&o.reasons, "reasons", "", "the committee's reasons (required)")
	fs.StringVar(&o.key, "key", "", "idempotency key (default: derived from the ruling, so repeating it records nothing new)")
	completeChoices(cmd, "outcome", "upheld", "overturned")
	return cmd
}

func runAppealRule(ctx context.Context, a *cli, o appealRuleOptions) error {
	if o.task < 1 || o.unit == "" || o.role == "" || o.appeal < 1 || o.outcome == "" {
		return fmt.Errorf("%w: give --task, --unit, --role, --appeal and --outcome", errUsage)
	}
	key := o.key
	if key == "" {
		sum := sha256.Sum256([]byte(strings.Join([]string{o.plan, fmt.Sprint(o.task), o.unit, o.role, fmt.Sprint(o.appeal), o.outcome, o.reasons}, "\x00")))
		key = fmt.Sprintf("appeal-rule-%x", sum[:12])
	}
	return a.withDoor(ctx, o.store, func(d door, _ *ledger) error {
		res, err := d.svc.RuleAppeal(ctx, d.who, app.RulingInput{
			Obligation: app.ObligationRef{Plan: o.plan, Task: o.task, Unit: o.unit, Role: o.role},
			Appeal:     o.appeal, Outcome: o.outcome, Reasons: o.reasons, IdempotencyKey: key,
		})
		if err != nil {
			return refusal(err)
		}
		if res.Duplicate {
			fmt.Fprintln(a.stdout, "该裁决此前已记录，未重复记录 / this ruling was already recorded; nothing new")
			return nil
		}
		fmt.Fprintf(a.stdout, "已记录第%d号申诉的裁决 / ruling recorded (position %d)\n", o.appeal, res.Position)
		return nil
	})
}

// printRectificationSlips prints the rectification slips a tick recorded.
func printRectificationSlips(a *cli, recorded []app.Result) {
	fmt.Fprintf(a.stdout, "记录整改逾期 %d 项 / %d rectification slips recorded\n", len(recorded), len(recorded))
}
