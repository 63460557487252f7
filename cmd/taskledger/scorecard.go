package main

import (
	"context"
	"encoding/csv"
	"fmt"

	"taskledger/domain"
	"taskledger/internal/termtable"
	"taskledger/projections/scoring"
)

func runScorecard(ctx context.Context, a *app, args []string) error {
	fs := newFlags(a, "scorecard", "--year YEAR [--kind bureau|county] [--as-of TIME] [--scheme ID[:VERSION]] [--unit UNIT] [--format table|json|csv] [--store DIR]")
	store := storeFlag(a, fs)
	plan := fs.String("plan", defaultPlanID, "the plan's id in the ledger")
	year := fs.Int("year", 0, "the assessment year (required)")
	kind := fs.String("kind", "bureau", "bureau or county")
	scheme := fs.String("scheme", "", "scheme id, optionally with :version; default the one the plan adopted for the year, else the shipped default")
	unit := fs.String("unit", "", "explain one unit's card line by line")
	cf := addCutFlags(fs)
	format := formatFlag(fs, "table", "json", "csv")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *year == 0 {
		return fmt.Errorf("%w: --year is required", errUsage)
	}
	k := scoring.Kind(*kind)
	if k != scoring.KindBureau && k != scoring.KindCounty {
		return fmt.Errorf("%w: --kind %q: choose bureau or county", errUsage, *kind)
	}
	if err := checkFormat(*format, "table", "json", "csv"); err != nil {
		return err
	}
	schemeID, schemeVersion, err := parseSchemeRef(*scheme)
	if err != nil {
		return err
	}
	cut, err := cf.cut()
	if err != nil {
		return err
	}
	l, err := openLedger(*store)
	if err != nil {
		return err
	}
	defer l.Close()
	v, err := l.views(ctx, cut, quietLogger(a))
	if err != nil {
		return err
	}
	asOf := a.now()
	if !cut.Time.IsZero() {
		asOf = cut.Time
	}
	res, err := v.Scorecards(domain.PlanID(*plan), *year, k, schemeID, schemeVersion, asOf)
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		_, err := a.stdout.Write(append(res.JSON(), '\n'))
		return err
	case "csv":
		w := csv.NewWriter(a.stdout)
		_ = w.Write([]string{"rank", "unit", "name", "total", "grade", "slips"})
		for _, c := range res.Cards {
			_ = w.Write([]string{itoa(c.Rank), string(c.Unit), c.Name, c.Total.String(), c.Grade, itoa(c.Slips)})
		}
		w.Flush()
		return w.Error()
	}
	fmt.Fprintf(a.stdout, "%d %s scorecards, scheme %s v%d, as of %s\n\n", res.Year, res.Kind, res.Scheme, res.SchemeVersion, asOf.In(domain.Shanghai()).Format("2006-01-02 15:04"))
	if *unit != "" {
		u, err := v.Catalog.ResolveUnit(*unit)
		if err != nil {
			return err
		}
		for _, c := range res.Cards {
			if c.Unit != u.ID {
				continue
			}
			fmt.Fprintf(a.stdout, "%s  第%d名  %s分  %s\n\n", c.Name, c.Rank, c.Total, c.Grade)
			tab := termtable.New("规则", "分值", "说明", "事件").AlignRight(1)
			for _, ln := range c.Lines {
				tab.Row(ln.Rule, ln.Points.String(), truncate(ln.ZH, 48), itoa(len(ln.Events)))
			}
			return tab.Write(a.stdout)
		}
		return fmt.Errorf("%s has no %s scorecard for %d: %w", u.Name, k, *year, domain.ErrNotFound)
	}
	tab := termtable.New("名次", "单位", "得分", "等次", "延误").AlignRight(0).AlignRight(2).AlignRight(4)
	for _, c := range res.Cards {
		tab.Row(itoa(c.Rank), c.Name, c.Total.String(), c.Grade, itoa(c.Slips))
	}
	return tab.Write(a.stdout)
}

// parseSchemeRef reads "id" or "id:version".
func parseSchemeRef(s string) (string, int, error) {
	if s == "" {
		return "", 0, nil
	}
	var id string
	var v int
	if n, _ := fmt.Sscanf(s, "%s", &id); n == 1 {
		for i := len(s) - 1; i >= 0; i-- {
			if s[i] == ':' {
				if _, err := fmt.Sscanf(s[i+1:], "%d", &v); err != nil || v <= 0 {
					return "", 0, fmt.Errorf("%w: --scheme %q: the version after ':' must be a positive number", errUsage, s)
				}
				return s[:i], v, nil
			}
		}
	}
	return s, 0, nil
}
