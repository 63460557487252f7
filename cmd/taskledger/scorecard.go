package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"taskledger/command"
	"taskledger/projections"

	"taskledger/domain"
	"taskledger/internal/termtable"
	"taskledger/projections/scoring"
)

// scorecardOptions are the flags of taskledger scorecard.
type scorecardOptions struct {
	store, plan, kind, scheme, unit, format, out, actor string
	year                                                int
	publish, checkPublished                             bool
	cut                                                 *cutFlags
}

func newScorecardCommand(a *app) *cobra.Command {
	var o scorecardOptions
	cmd := &cobra.Command{
		Use:   "scorecard --year YEAR",
		Short: "a year's scorecards and rankings, with every point explained",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runScorecard(cmd.Context(), a, o) },
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
	fs.StringVar(&o.actor, "actor", "committee", "who publishes")
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
	if o.checkPublished && (o.cut.position > 0 || o.cut.asOf != "") {
		return "", fmt.Errorf("%w: --check-published compares with the whole ledger; it takes no --as-of or --at-position", errUsage)
	}
	return k, nil
}

func runScorecard(ctx context.Context, a *app, o scorecardOptions) error {
	k, err := o.validate()
	if err != nil {
		return err
	}
	schemeID, schemeVersion, err := parseSchemeRef(o.scheme)
	if err != nil {
		return err
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
	if o.publish {
		return publishScorecard(ctx, a, l, v, plan, o.year, k, schemeID, schemeVersion, asOf, o.actor)
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
	return printScorecards(a, v, res, asOf, o.unit)
}

// printScorecards writes the ranking as a table, or with unit one unit's
// card line by line.
func printScorecards(a *app, v *projections.Views, res scoring.Result, asOf time.Time, unit string) error {
	fmt.Fprintf(a.stdout, "%d %s scorecards, scheme %s v%d, as of %s\n\n", res.Year, res.Kind, res.Scheme, res.SchemeVersion, asOf.In(domain.Shanghai()).Format("2006-01-02 15:04"))
	if unit != "" {
		u, err := v.Catalog.ResolveUnit(unit)
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
		return fmt.Errorf("%s has no %s scorecard for %d: %w", u.Name, res.Kind, res.Year, domain.ErrNotFound)
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

// publishScorecard records a year's scorecards of one kind as published,
// computed at the current head of the log, and says what it recorded.
func publishScorecard(ctx context.Context, a *app, l *ledger, v *projections.Views, plan domain.PlanID, year int, k scoring.Kind, schemeID string, schemeVersion int, asOf time.Time, actor string) error {
	pub, err := recordPublication(ctx, l, v, plan, year, k, schemeID, schemeVersion, asOf, a.now(), actor)
	if err != nil {
		return err
	}
	if pub.adopted {
		fmt.Fprintf(a.stdout, "adopted scheme %s v%d for %d\n", pub.result.Scheme, pub.result.SchemeVersion, year)
	}
	fmt.Fprintf(a.stdout, "published %d %s scorecards (%d cards) computed at position %d, as of %s\ndigest %s, recorded at position %d\n",
		year, k, len(pub.result.Cards), pub.head, asOf.In(domain.Shanghai()).Format(time.RFC3339), pub.result.Digest(), pub.position)
	return nil
}

// publication is what recordPublication recorded.
type publication struct {
	adopted  bool // the scheme was adopted first
	result   scoring.Result
	head     uint64 // the log position the result was computed at
	position uint64 // the position of the ScorecardPublished event
}

// recordPublication adopts the scheme for the year when the plan has not
// (the domain lets only adopted schemes be published), computes the
// scorecards at the head of the log as of asOf, and records
// ScorecardPublished. Its idempotency keys make a repeat record nothing.
func recordPublication(ctx context.Context, l *ledger, v *projections.Views, plan domain.PlanID, year int, k scoring.Kind, schemeID string, schemeVersion int, asOf, now time.Time, actor string) (publication, error) {
	var pub publication
	scheme, err := v.SchemeFor(plan, year, schemeID, schemeVersion)
	if err != nil {
		return pub, err
	}
	p, ok := v.Catalog.Plan(plan)
	if !ok {
		return pub, fmt.Errorf("plan %s: %w", plan, domain.ErrNotFound)
	}
	if _, ok := p.Scheme(scheme.ID, scheme.Version); !ok {
		cmd := domain.AdoptScheme{Plan: plan, Scheme: scheme.ID, Version: scheme.Version, Year: year, Document: scheme.Canonical()}
		meta := domain.Meta{Actor: actor, Now: now, IdempotencyKey: fmt.Sprintf("adopt:%s:%s:%d:%d", plan, scheme.ID, scheme.Version, year)}
		res, err := command.Dispatch(ctx, l.handler, cmd, meta)
		if err != nil {
			return pub, fmt.Errorf("adopt scheme %s v%d: %w", scheme.ID, scheme.Version, err)
		}
		pub.adopted = !res.Duplicate
	}
	if pub.head, err = l.store.Head(ctx); err != nil {
		return pub, err
	}
	if pub.result, err = projections.ScorecardsAt(ctx, l.store, l.registry, projections.Config{}, plan, year, k, scheme.ID, scheme.Version, pub.head, asOf); err != nil {
		return pub, err
	}
	res := pub.result
	cmd := domain.PublishScorecard{Plan: plan, Year: year, Kind: string(k), Scheme: res.Scheme, SchemeVersion: res.SchemeVersion, AsOfPosition: pub.head, AsOf: asOf, Digest: res.Digest()}
	meta := domain.Meta{Actor: actor, Now: now, IdempotencyKey: fmt.Sprintf("publish:%s:%d:%s:%s", plan, year, k, res.Digest())}
	out, err := command.Dispatch(ctx, l.handler, cmd, meta)
	if err != nil {
		return pub, err
	}
	pub.position = out.Position
	return pub, nil
}

// checkPublished recomputes the latest published result at its cut and
// compares it with the published digest and with the result computed now
// from the whole ledger at the same evaluation instant.
func checkPublished(ctx context.Context, a *app, l *ledger, v *projections.Views, plan domain.PlanID, year int, k scoring.Kind) error {
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
