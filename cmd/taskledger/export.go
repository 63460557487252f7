package main

import (
	"bytes"
	"fmt"

	"taskledger/domain"
	"taskledger/export"
	"taskledger/internal/atomicfile"
	"taskledger/projections/scoring"
)

// writeScorecardExport writes a scorecard result as a spreadsheet file:
// format csv (UTF-8 with BOM, Chinese headers) or xlsx (sheets 排名,
// 扣分明细, 说明). With out empty, csv goes to stdout; xlsx needs a file.
// The file is written whole or not at all.
func writeScorecardExport(a *app, plan domain.PlanID, res scoring.Result, format, out string) error {
	sc := export.FromResult(string(plan), res)
	var buf bytes.Buffer
	var err error
	switch format {
	case "csv":
		err = export.ScorecardCSV(&buf, sc)
	case "xlsx":
		if out == "" {
			return fmt.Errorf("%w: --format xlsx needs --out FILE", errUsage)
		}
		err = export.ScorecardXLSX(&buf, sc)
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
	fmt.Fprintf(a.stdout, "wrote %d %s scorecards (%d cards) to %s\n", res.Year, res.Kind, len(res.Cards), out)
	return nil
}
