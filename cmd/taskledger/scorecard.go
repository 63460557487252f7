package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"taskledger/app"
	"taskledger/domain"
	"taskledger/internal/apiclient"
	"taskledger/internal/termtable"
	"taskledger/projections"
	"taskledger/projections/scoring"
)

// scorecardOptions are the flags of taskledger scorecard.
type scorecardOptions struct {
	store, plan, kind, scheme, unit, format, out string
	year                                         int
	publish, checkPublished                      bool
	cut                                          *cutFlags
	remote                                       *remoteFlags
}

func newScorecardCommand(a *cli) *cobra.Command {
	var o scorecardOptions
	cmd := &cobra.Command{
		Use:   "scorecard --year YEAR",
		Short: "a year's scorecards and rankings, with every point explained",
		Args:  noArgs,
		Long: `Computes a year's scorecards and rankings from the store, every point
explained, or with --server asks a running server's API for them (the
--token holder must be allowed to see scorecards: committee or inspector).`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runScorecard(cmd, a, o) },
	}
	fs := cmd.Flags()
	storeFlag(a, fs, &o.store)
	fs.StringVar(&o.plan, "plan", defaultPlanID, "the plan's id in the ledger")
	fs.IntVar(&o.year, "year", 0, "the assessment year (required)")
	fs.StringVar(&o.kind, "kind", "bureau", "bureau or county")
	completeChoices(cmd, "kind", "bureau", "county")
	fs.StringVar(&o.scheme, "scheme", "", "scheme id, optionally with :version; default the one the plan adopted for the year, else the shipped default")
	fs.StringVar(&o.unit, "unit", "", "explain one unit's card line by line")
	o.cut = addCutFlags(fs)
	formatFlag(cmd, &o.format, "table", "json", "csv", "xlsx")
	fs.StringVar(&o.out, "out", "", "with --format csv or xlsx: write the spreadsheet file here (xlsx needs it; csv goes to stdout without it)")
	fs.BoolVar(&o.publish, "publish", false, "record the result as published (ScorecardPublished), adopting the default scheme first if the plan has none for the year")
	fs.BoolVar(&o.checkPublished, "check-published", false, "recompute the latest published result at its cut, confirm it reproduces, and list what has changed since")
	addPrincipalFlags(a, fs)
	o.remote = addRemoteFlags(a, fs, false)
	return cmd
}

// validate checks the flags that need no ledger.
func (o scorecardOptions) validate() (scoring.Kind, error) {
	if o.year == 0 {
		return "", fmt.Errorf("%w: --year is required", errUsage)
	}
	k := scoring.Kind(o.kind)
	if k != scoring.KindBureau && k != scoring.KindCounty {
		return "", fmt.Errorf("%w: --kind %q: choose bureau or county", errUsage, o.kind)
	}
	if err := checkFormat(o.format, "table", "json", "csv", "xlsx"); err != nil {
		return "", err
	}
	if o.out != "" && o.format != "csv" && o.format != "xlsx" {
		return "", fmt.Errorf("%w: --out needs --format csv or xlsx", errUsage)
	}
	if o.format == "xlsx" && o.out == "" {
		return "", fmt.Errorf("%w: --format xlsx needs --out FILE", errUsage)
	}
	if o.publish && o.cut.position > 0 {
		return "", fmt.Errorf("%w: --publish computes at the head of the log; it takes --as-of, not --at-position", errUsage)
	}
	if o.checkPublished && (o.cut.position > 0 || o.cut.asOf != "") {
		return "", fmt.Errorf("%w: --check-published compares with the whole ledger; it takes no --as-of or --at-position", errUsage)
	}
	return k, nil
}

func runScorecard(cmd *cobra.Command, a *cli, o scorecardOptions) error {
	ctx := cmd.Context()
	k, err := o.validate()
	if err != nil {
		return err
	}
	schemeID, schemeVersion, err := parseSchemeRef(o.scheme)
	if err != nil {
		return err
	}
	remote, err := o.remote.use(cmd, false)
	if err != nil {
		return err
	}
	if remote {
		if err := refuseWithServer(cmd, "publish", "check-published", "at-position"); err != nil {
			return err
		}
		return remoteScorecard(ctx, a, o, k, schemeID, schemeVersion)
	}
	if o.publish {
		return publishScorecard(ctx, a, o, app.PublishInput{Plan: o.plan, Year: o.year, Kind: string(k), Scheme: schemeID, SchemeVersion: schemeVersion})
	}
	l, v, asOf, err := openAt(ctx, a, o.store, o.cut)
	if err != nil {
		return err
	}
	defer l.Close()
	plan := domain.PlanID(o.plan)
	if o.checkPublished {
		return checkPublished(ctx, a, l, v, plan, o.year, k)
	}
	res, err := v.Scorecards(plan, o.year, k, schemeID, schemeVersion, asOf)
	if err != nil {
		return err
	}
	switch o.format {
	case "json":
		return writeJSONOut(a.stdout, scorecardJSON(v, plan, res))
	case "csv", "xlsx":
		return writeScorecardExport(ctx, a, l.store, plan, res, o.format, o.out)
	}
	return printScorecards(a, v, plan, res, asOf, o.unit)
}

// printScorecards writes the ranking as a table, or with unit one unit's
// card line by line.
func printScorecards(a *cli, v *projections.Views, plan domain.PlanID, res scoring.Result, asOf time.Time, unit string) error {
	var u *apiclient.Unit
	if unit != "" {
		du, err := v.Catalog.ResolveUnit(unit)
		if err != nil {
			return err
		}
		u = &apiclient.Unit{ID: string(du.ID), Name: du.Name}
	}
	return printScorecardTable(a, scorecardJSON(v, plan, res), asOf, u)
}

// printScorecardTable writes the ranking of sc as a table, or with u one
// unit's card line by line.
func printScorecardTable(a *cli, sc scorecardOut, asOf time.Time, u *apiclient.Unit) error {
	kind := strings.ToLower(sc.Kind)
	fmt.Fprintf(a.stdout, "%d年度%s考核排名 · %s · 截至 %s（%d %s scorecards）\n\n", sc.Year, scoring.Kind(kind).Label(), scoring.SchemeLabel(sc.Scheme, sc.SchemeVersion),
		asOf.In(domain.Shanghai()).Format("2006-01-02 15:04"), sc.Year, kind)
	if u != nil {
		for _, c := range sc.Cards {
			if c.Unit != u.ID {
				continue
			}
			fmt.Fprintf(a.stdout, "%s  第%d名  %s分  %s\n\n", c.Name, c.Rank, c.TotalText, c.Grade)
			tab := termtable.New("分值", "说明", "事件").AlignRight(0).AlignRight(2)
			for _, ln := range c.Lines {
				tab.Row(ln.PointsText, truncate(ln.ZH, 64), itoa(len(ln.EventIDs)))
			}
			return tab.Write(a.stdout)
		}
		return fmt.Errorf("%s has no %s scorecard for %d: %w", u.Name, kind, sc.Year, domain.ErrNotFound)
	}
	tab := termtable.New("名次", "单位", "得分", "等次", "延误").AlignRight(0).AlignRight(2).AlignRight(4)
	for _, c := range sc.Cards {
		tab.Row(itoa(c.Rank), c.Name, c.TotalText, c.Grade, itoa(c.Slips))
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

// publishScorecard records a year's scorecards of one kind as published,
// through the application layer: computed at the head of the log, judged
// as of --as-of (default now, never a future instant), adopting the scheme
// first when the plan has not. Its idempotency key names the request and
// the moment, so a retry within the same second records nothing twice.
func publishScorecard(ctx context.Context, a *cli, o scorecardOptions, in app.PublishInput) error {
	if o.cut.asOf != "" {
		t, err := parseInstant(o.cut.asOf)
		if err != nil {
			return fmt.Errorf("%w: --as-of: %v", errUsage, err)
		}
		in.AsOf = &t
	}
	in.IdempotencyKey = fmt.Sprintf("cli-publish:%s:%d:%s:%s:%d:%s:%d", in.Plan, in.Year, in.Kind, in.Scheme, in.SchemeVersion, o.cut.asOf, a.now().Unix())
	return a.withDoor(ctx, o.store, func(d door, _ *ledger) error {
		pub, err := d.svc.PublishScorecard(ctx, d.who, in)
		if err != nil {
			return refusal(err)
		}
		if pub.Adopted {
			fmt.Fprintf(a.stdout, "adopted scheme %s v%d for %d\n", pub.Scorecards.Scheme, pub.Scorecards.SchemeVersion, in.Year)
		}
		fmt.Fprintf(a.stdout, "published %d %s scorecards (%d cards) computed at position %d, as of %s\ndigest %s, recorded at position %d\n",
			in.Year, in.Kind, len(pub.Scorecards.Cards), pub.ComputedAt, pub.AsOf.In(domain.Shanghai()).Format(time.RFC3339), pub.Scorecards.Digest(), pub.Position)
		return nil
	})
}

// checkPublished recomputes the latest published result at its cut and
// compares it with the published digest and with the result computed now
// from the whole ledger at the same evaluation instant.
func checkPublished(ctx context.Context, a *cli, l *ledger, v *projections.Views, plan domain.PlanID, year int, k scoring.Kind) error {
	var latest *projections.PublishedScorecard
	for _, p := range v.Catalog.Published(plan) {
		if p.Year == year && p.Kind == string(k) {
			latest = &p
		}
	}
	if latest == nil {
		return fmt.Errorf("no %d %s scorecards were published for plan %s: %w", year, k, plan, domain.ErrNotFound)
	}
	then, ok, err := projections.Reproduce(ctx, l.store, l.registry, projections.Config{}, *latest)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("the scorecards published at position %d (event %s) do NOT reproduce: digest %s recorded, %s recomputed", latest.AsOfPosition, latest.EventID, latest.Digest, then.Digest())
	}
	fmt.Fprintf(a.stdout, "published at position %d by %s: reproduces exactly (digest %s)\n", latest.AsOfPosition, latest.Actor, latest.Digest)
	// The same year, scheme and evaluation instant, over everything the
	// ledger holds now: corrections, late reports and findings recorded
	// since publication show up as differences.
	asOf := latest.AsOf
	now, err := v.Scorecards(plan, year, k, latest.Scheme, latest.SchemeVersion, asOf)
	if err != nil {
		return err
	}
	changes := scoring.Diff(then, now)
	if len(changes) == 0 {
		fmt.Fprintln(a.stdout, "recomputed now: no difference")
		return nil
	}
	fmt.Fprintf(a.stdout, "recomputed now, as of %s: %d differences\n", asOf.In(domain.Shanghai()).Format(time.RFC3339), len(changes))
	for _, c := range changes {
		fmt.Fprintf(a.stdout, "  %-28s %-14s %s → %s\n", c.Unit, c.Field, c.Old, c.New)
	}
	return nil
}
