package main

// The read commands' client of a running server (--server): status,
// obligations and scorecard ask its GraphQL API instead of opening the
// store, which the server holds. The server decides what the token may
// see; nothing here checks a rule.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"taskledger/domain"
	"taskledger/export"
	"taskledger/internal/apiclient"
	"taskledger/projections/scoring"
)

// serverEnv names the environment variable that sets the default --server.
const serverEnv = "TASKLEDGER_SERVER"

// requestTimeout bounds one request to a server.
const requestTimeout = 2 * time.Minute

// remoteFlags are --server and --token of a read command.
type remoteFlags struct{ server string }

// addRemoteFlags adds --server to fs and, unless the command has it
// already (withToken false), --token.
func addRemoteFlags(a *cli, fs *pflag.FlagSet, withToken bool) *remoteFlags {
	r := &remoteFlags{}
	fs.StringVar(&r.server, "server", a.getenv(serverEnv), "ask the running server at this URL (http://host:port) instead of opening --store (env "+serverEnv+")")
	if withToken {
		addTokenFlag(a, fs, "with --server: the API token to send (env "+tokenEnv+"); the server decides what it may see")
	}
	return r
}

// use reports whether the command asks a server. It refuses --store beside
// --server, and --token without --server on a command whose --token means
// nothing else.
func (r *remoteFlags) use(cmd *cobra.Command, tokenOnlyRemote bool) (bool, error) {
	fs := cmd.Flags()
	if r.server == "" {
		if tokenOnlyRemote && fs.Changed("token") {
			return false, fmt.Errorf("%w: --token goes with --server", errUsage)
		}
		return false, nil
	}
	if fs.Changed("store") {
		return false, fmt.Errorf("%w: give --store or --server, not both", errUsage)
	}
	return true, nil
}

// refuseWithServer returns a usage error naming the first flag in names
// that was given: what --server does not take.
func refuseWithServer(cmd *cobra.Command, names ...string) error {
	for _, n := range names {
		if cmd.Flags().Changed(n) {
			return fmt.Errorf("%w: --%s reads the store; it does not go with --server", errUsage, n)
		}
	}
	return nil
}

// remote is a client of the server one command asks.
type remote struct {
	c *apiclient.Client
}

// dial returns the client of the server at r.server with the run's token.
func (a *cli) dial(r *remoteFlags) (*remote, error) {
	c, err := apiclient.New(r.server, a.bearer(), &http.Client{Timeout: requestTimeout})
	if err != nil {
		return nil, fmt.Errorf("%w: --server: %v", errUsage, err)
	}
	c.Lang = string(a.messageLangs()[0])
	return &remote{c: c}, nil
}

// query runs doc on the server, saying which server refused or failed.
func (r *remote) query(ctx context.Context, doc string, vars map[string]any, out any) error {
	err := r.c.Query(ctx, doc, vars, out)
	var ae *apiclient.Error
	if errors.As(err, &ae) {
		return fmt.Errorf("server %s answered: %w\n%s", r.c.Endpoint, err, codeHint(ae.Code))
	}
	if err != nil {
		return fmt.Errorf("server %s: %w", r.c.Endpoint, err)
	}
	return nil
}

// codeHint says in Chinese and English what an API error code means.
func codeHint(code string) string {
	switch code {
	case "UNAUTHENTICATED":
		return "令牌无效、已撤销或未提供 (--token / " + tokenEnv + ") · the token is invalid, revoked or missing"
	case "FORBIDDEN":
		return "该令牌无权查看 · this token may not see this"
	case "NOT_FOUND":
		return "不存在 · not found"
	case "INVALID_ARGUMENT":
		return "参数有误 · an argument is wrong"
	}
	return "服务器出错 · the server failed"
}

// unit resolves a unit by id, name or alias on the server; empty means the
// unit the token acts for.
func (r *remote) unit(ctx context.Context, name string) (apiclient.Unit, error) {
	if name == "" {
		var me struct {
			Me apiclient.Principal `json:"me"`
		}
		if err := r.query(ctx, apiclient.MeQuery, nil, &me); err != nil {
			return apiclient.Unit{}, err
		}
		if me.Me.Unit == nil {
			return apiclient.Unit{}, fmt.Errorf("%w: --unit is required: the token (role %s) acts for no unit", errUsage, me.Me.Role)
		}
		return *me.Me.Unit, nil
	}
	var data struct {
		Unit *apiclient.Unit `json:"unit"`
	}
	if err := r.query(ctx, apiclient.UnitQuery, map[string]any{"id": name}, &data); err != nil {
		return apiclient.Unit{}, err
	}
	if data.Unit == nil {
		return apiclient.Unit{}, fmt.Errorf("unit %q: not found on server %s", name, r.c.Endpoint)
	}
	return *data.Unit, nil
}

// asOfVar adds the instant --as-of names to vars as $asOf.
func asOfVar(vars map[string]any, cf *cutFlags) error {
	cut, err := cf.cut()
	if err != nil {
		return err
	}
	if !cut.Time.IsZero() {
		vars["asOf"] = cut.Time.Format(time.RFC3339Nano)
	}
	return nil
}

// remotePageSize is how many obligations one request asks for: the API's
// largest page.
const remotePageSize = 500

// remoteObligations is taskledger obligations --server: the unit's
// obligations as the server shows them to the token.
func remoteObligations(ctx context.Context, a *cli, o obligationsOptions) error {
	r, err := a.dial(o.remote)
	if err != nil {
		return err
	}
	vars := map[string]any{"first": remotePageSize}
	if err := asOfVar(vars, o.cut); err != nil {
		return err
	}
	if o.status != "" {
		vars["status"] = strings.ToUpper(o.status)
	}
	u, err := r.unit(ctx, o.unit)
	if err != nil {
		return err
	}
	vars["unit"] = u.ID
	list, err := r.obligations(ctx, vars)
	if err != nil {
		return err
	}
	list.Unit, list.UnitName = domain.UnitID(u.ID), u.Name
	if o.format == "json" {
		return writeJSONOut(a.stdout, list)
	}
	labels, err := r.taskLabels(ctx)
	if err != nil {
		return err
	}
	return printObligations(a, list, func(plan string, task int) string { return labels[planTask{plan, task}] })
}

// obligations reads every page of ObligationsQuery with vars.
func (r *remote) obligations(ctx context.Context, vars map[string]any) (obligationList, error) {
	list := obligationList{Obligations: []obligationJSON{}}
	for page := 0; ; page++ {
		var data struct {
			O apiclient.ObligationConnection `json:"obligations"`
		}
		if err := r.query(ctx, apiclient.ObligationsQuery, vars, &data); err != nil {
			return obligationList{}, err
		}
		if page == 0 {
			list.AsOf, list.Total = data.O.AsOf, data.O.TotalCount
		}
		list.Obligations = append(list.Obligations, data.O.Nodes...)
		if !data.O.PageInfo.HasNextPage || data.O.PageInfo.EndCursor == nil || len(data.O.Nodes) == 0 {
			return list, nil
		}
		vars["after"] = *data.O.PageInfo.EndCursor
	}
}

// planTask names a task of a plan.
type planTask struct {
	plan string
	task int
}

// taskLabels returns the tasks' labels, such as （十）.
func (r *remote) taskLabels(ctx context.Context) (map[planTask]string, error) {
	var data struct {
		Tasks struct {
			Nodes []apiclient.Task `json:"nodes"`
		} `json:"tasks"`
	}
	if err := r.query(ctx, apiclient.TasksQuery, nil, &data); err != nil {
		return nil, err
	}
	labels := make(map[planTask]string, len(data.Tasks.Nodes))
	for _, t := range data.Tasks.Nodes {
		labels[planTask{t.Plan, t.Number}] = apiclient.Deref(t.Label)
	}
	return labels, nil
}

// remoteScorecard is taskledger scorecard --server: a year's scorecards as
// the server computes them, in the formats the store's give.
func remoteScorecard(ctx context.Context, a *cli, o scorecardOptions, k scoring.Kind, scheme string, version int) error {
	r, err := a.dial(o.remote)
	if err != nil {
		return err
	}
	vars := map[string]any{"year": o.year, "kind": strings.ToUpper(string(k)), "plan": o.plan}
	if scheme != "" {
		vars["scheme"] = scheme
	}
	if version > 0 {
		vars["schemeVersion"] = version
	}
	if err := asOfVar(vars, o.cut); err != nil {
		return err
	}
	var u *apiclient.Unit
	if o.unit != "" && o.format == "table" {
		got, err := r.unit(ctx, o.unit)
		if err != nil {
			return err
		}
		u = &got
	}
	var ans apiclient.ScorecardAnswer
	if err := r.query(ctx, apiclient.ScorecardQuery, vars, &ans); err != nil {
		return err
	}
	sc := ans.Scorecard
	switch o.format {
	case "json":
		return writeJSONOut(a.stdout, sc)
	case "csv", "xlsx":
		ex := sc.Export(apiclient.Deref(ans.Ledger.Notice))
		return writeSpreadsheet(a, o.format, o.out,
			func(w io.Writer) error { return export.ScorecardCSV(w, ex) },
			func(w io.Writer) error { return export.ScorecardXLSX(w, ex) },
			fmt.Sprintf("%d %s scorecards (%d cards)", sc.Year, k, len(sc.Cards)))
	}
	return printScorecardTable(a, sc, sc.AsOf, u)
}

// remoteStatus is taskledger status --server: what the server's ledger is
// and whom the token acts as. Counts by event type need the store itself.
func remoteStatus(ctx context.Context, a *cli, rf *remoteFlags) error {
	r, err := a.dial(rf)
	if err != nil {
		return err
	}
	var data struct {
		Ledger apiclient.Ledger    `json:"ledger"`
		Me     apiclient.Principal `json:"me"`
	}
	if err := r.query(ctx, apiclient.StatusQuery, nil, &data); err != nil {
		return err
	}
	l := data.Ledger
	fmt.Fprintf(a.stdout, "ledger at %s (%s): head position %d, read models at position %d\n", r.c.Endpoint, l.Mode, l.Head, l.ViewPosition)
	if n := apiclient.Deref(l.Notice); n != "" {
		fmt.Fprintf(a.stdout, "NOTE: %s\n", n)
	}
	if p := apiclient.Deref(l.DefaultPlan); p != "" {
		fmt.Fprintf(a.stdout, "default plan: %s\n", p)
	}
	if l.Now != nil {
		fmt.Fprintf(a.stdout, "server time: %s\n", l.Now.In(domain.Shanghai()).Format(time.RFC3339))
	}
	fmt.Fprintf(a.stdout, "acting as %s (role %s%s)\n", data.Me.Actor, data.Me.Role, unitSuffix(domain.UnitID(apiclient.Deref(data.Me.UnitID))))
	fmt.Fprintln(a.stdout, "(counts by event type are read from the store: run status with --store where no server holds it)")
	return nil
}
