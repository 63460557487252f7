package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"taskledger/domain"
	"taskledger/export"
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
	if err := writeFileAtomic(out, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "wrote %d %s scorecards (%d cards) to %s\n", res.Year, res.Kind, len(res.Cards), out)
	return nil
}

// writeFileAtomic writes b to path through a temporary file in the same
// directory, so that a reader never sees half a file.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".taskledger-export-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
