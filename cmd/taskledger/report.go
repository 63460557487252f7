package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"taskledger/app"
	"taskledger/internal/atomicfile"
	"taskledger/internal/msg"
	"taskledger/reportsheet"
)

const reportLong = `Bulk progress reporting through a spreadsheet (报送模板).

"report template" writes a unit's template as XLSX: one row per duty it can
still report on, with 序号, task, milestone, due date, status and the latest
reported percent, and three columns to fill: 进展百分比 (a whole number from
0 to 100), 进展情况 (what was done) and 报告期 (the month, e.g. 2025-06;
blank means this month). A hidden, locked column names each row's duty.

"report upload" records a filled template, XLSX or CSV saved from it (UTF-8
or GBK). Every row and cell is checked first and nothing is recorded unless
the whole file is valid; rows left blank are skipped; uploading the same
file again records nothing new. Both act as the --token holder (a bureau or
county token reports for its own unit only).`

// newReportCommand is the report subcommand: template and upload.
func newReportCommand(a *cli) *cobra.Command {
	return groupCommand("report", "bulk progress reports through a spreadsheet (report template | upload)", reportLong,
		newReportTemplateCommand(a), newReportUploadCommand(a))
}

// reportOptions are the flags of report template and report upload.
type reportOptions struct {
	store, plan, unit, out, format string
}

func newReportTemplateCommand(a *cli) *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "template [--plan PLAN] [--unit UNIT] -o FILE.xlsx",
		Short: "write a unit's report template (XLSX)",
		Long:  reportLong,
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runReportTemplate(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	addPrincipalFlags(a, fs)
	fs.StringVar(&o.plan, "plan", "", "the plan's id (default: every plan)")
	fs.StringVar(&o.unit, "unit", "", "the unit: id, name or alias (default: the token's own unit)")
	fs.StringVarP(&o.out, "out", "o", "", "the XLSX file to write")
	return cmd
}

func runReportTemplate(ctx context.Context, a *cli, o reportOptions) error {
	if o.out == "" {
		return fmt.Errorf("%w: give the file to write with -o FILE.xlsx", errUsage)
	}
	return a.withDoor(ctx, o.store, func(d door, _ *ledger) error {
		tpl, err := d.svc.ReportTemplate(ctx, d.who, app.TemplateInput{Plan: o.plan, Unit: o.unit})
		if err != nil {
			return refusal(err)
		}
		var buf bytes.Buffer
		if err := reportsheet.WriteXLSX(&buf, tpl); err != nil {
			return err
		}
		if err := atomicfile.Write(o.out, buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "已写出 %s 的报送模板（%d 项任务责任）：%s · wrote the report template of %s (%d duties) to %s\n",
			tpl.Unit, len(tpl.Rows), o.out, tpl.Unit, len(tpl.Rows), o.out)
		return nil
	})
}

func newReportUploadCommand(a *cli) *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "upload FILE",
		Short: "record a filled report template (XLSX or CSV)",
		Long:  reportLong,
		Args:  cobra.ExactArgs(1),
		RunE:  func(cmd *cobra.Command, args []string) error { return runReportUpload(cmd.Context(), a, o, args[0]) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	addPrincipalFlags(a, fs)
	fs.StringVar(&o.plan, "plan", "", "refuse rows of any other plan than this one")
	fs.StringVar(&o.format, "format", "", "xlsx or csv (default: told by the file's content)")
	completeChoices(cmd, "format", "xlsx", "csv")
	return cmd
}

func runReportUpload(ctx context.Context, a *cli, o reportOptions, file string) error {
	b, err := readUploadFile(file)
	if err != nil {
		return err
	}
	return a.withDoor(ctx, o.store, func(d door, _ *ledger) error {
		res, err := d.svc.BulkReport(ctx, d.who, app.BulkReportInput{Plan: o.plan, File: b, Format: o.format})
		var be *app.BulkReportError
		if errors.As(err, &be) {
			return uploadRefusal(be)
		}
		if err != nil {
			return refusal(err)
		}
		fmt.Fprintln(a.stdout, res.Summary)
		return nil
	})
}

// readUploadFile reads a file to upload, refusing one beyond the limit
// before reading it.
func readUploadFile(name string) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if st.Size() > reportsheet.MaxBytes {
		return nil, noticef(msg.CLIReportFileTooLarge, msg.Args{"File": name, "MiB": reportsheet.MaxBytes >> 20}, nil)
	}
	return os.ReadFile(name)
}

// uploadRefusal lists every bad row and cell, in Chinese then English.
func uploadRefusal(be *app.BulkReportError) error {
	var b strings.Builder
	b.WriteString(be.Err.Chinese())
	fmt.Fprintf(&b, " [%s]\n", be.Err.Code)
	if len(be.Problems) > 0 {
		b.WriteString("\n")
		for _, p := range be.Problems {
			b.WriteString(p.English() + "\n")
		}
	}
	return errors.New(strings.TrimRight(b.String(), "\n"))
}
