package main

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/export"
	"taskledger/graphql"
	"taskledger/internal/atomicfile"
	"taskledger/projections/scoring"
)

// writeScorecardExport writes a scorecard result as a spreadsheet file:
// format csv (UTF-8 with BOM, Chinese headers) or xlsx (sheets 排名,
// 扣分明细, 说明). With out empty, csv goes to stdout; xlsx needs a file.
// The file is written whole or not at all.
func writeScorecardExport(ctx context.Context, a *cli, s eventstore.Store, plan domain.PlanID, res scoring.Result, format, out string) error {
	sc := export.FromResult(string(plan), res)
	// A spreadsheet travels without the ledger: say so on it when the
	// ledger holds simulated activity, as the dashboard's downloads do.
	sim, err := hasSimulated(ctx, s)
	if err != nil {
		return err
	}
	if sim {
		sc.Notice = graphql.DemoNotice
	}
	return writeSpreadsheet(a, format, out,
		func(w io.Writer) error { return export.ScorecardCSV(w, sc) },
		func(w io.Writer) error { return export.ScorecardXLSX(w, sc) },
		fmt.Sprintf("%d %s scorecards (%d cards)", res.Year, res.Kind, len(res.Cards)))
}

// hasSimulated reports whether the ledger holds any event a simulation
// recorded (actor demo:…). It reads the log until it finds one; the demo's
// events follow the plan's import closely.
func hasSimulated(ctx context.Context, s eventstore.Store) (bool, error) {
	var after uint64
	for {
		batch, err := s.ReadAll(ctx, after, 4096)
		if err != nil {
			return false, fmt.Errorf("read the ledger: %w", err)
		}
		if len(batch) == 0 {
			return false, nil
		}
		for i := range batch {
			if batch[i].Simulated() {
				return true, nil
			}
		}
		after = batch[len(batch)-1].Position
	}
}

// writeSpreadsheet writes a spreadsheet made by writeCSV or writeXLSX, as
// format asks: to stdout for csv without out, else to the file out, whole
// or not at all, saying what (a description) it wrote there.
func writeSpreadsheet(a *cli, format, out string, writeCSV, writeXLSX func(io.Writer) error, what string) error {
	var buf bytes.Buffer
	var err error
	switch format {
	case "csv":
		err = writeCSV(&buf)
	case "xlsx":
		if out == "" {
			return fmt.Errorf("%w: --format xlsx needs --out FILE", errUsage)
		}
		err = writeXLSX(&buf)
	default:
		return fmt.Errorf("%w: --out writes csv or xlsx, not %s", errUsage, format)
	}
	if err != nil {
		return err
	}
	if out == "" {
		_, err := a.stdout.Write(buf.Bytes())
		return err
	}
	if err := atomicfile.Write(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "wrote %s to %s\n", what, out)
	return nil
}
