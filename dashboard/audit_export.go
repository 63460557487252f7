package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"taskledger/internal/apiclient"
	"time"

	"taskledger/domain"
	"taskledger/export"
)

// maxAuditPages bounds how many pages an audit-trail export reads; a
// longer trail is refused rather than cut short.
const maxAuditPages = 100

// auditPageSize is how many events an audit-trail export asks for at a
// time: the API's largest page.
const auditPageSize = 500

// auditEventFields are the fields of an audit trail's events an export
// reads: the hashes give the links between pages.
const auditEventFields = `intact pageInfo { hasNextPage endCursor } nodes { id position stream version type actor recordedAt effectiveAt summary flags hash prevHash }`

// auditParams reads an audit-trail export's parameters: exactly one of
// ?task=, ?unit= and ?stream= (as the auditTrail query takes them), and
// optionally ?plan= (with task) and ?asOf= (a date, meaning the end of that
// day in Asia/Shanghai, or an RFC 3339 time).
func auditParams(q url.Values) (map[string]any, export.AuditTrail, error) {
	vars := map[string]any{}
	var at export.AuditTrail
	bad := func(msg string) error { return &exportError{http.StatusBadRequest, "INVALID_ARGUMENT", msg} }
	given := 0
	for _, k := range []string{"task", "unit", "stream"} {
		if q.Get(k) != "" {
			given++
		}
	}
	if given != 1 {
		return nil, at, bad("give exactly one of task (a task number such as 10), unit (a unit's id or name) and stream")
	}
	if s := q.Get("task"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 || n > 1<<31-1 {
			return nil, at, bad(fmt.Sprintf("task must be a task number such as 10, not %q", s))
		}
		vars["task"], at.Task = n, n
	}
	if s := q.Get("unit"); s != "" {
		vars["unit"], at.Unit = s, s
	}
	if s := q.Get("stream"); s != "" {
		vars["stream"], at.Stream = s, s
	}
	if s := q.Get("plan"); s != "" {
		if at.Task == 0 {
			return nil, at, bad("plan goes with task")
		}
		vars["plan"], at.Plan = s, s
	}
	if s := q.Get("asOf"); s != "" {
		t, err := parseAsOf(s)
		if err != nil {
			return nil, at, bad(fmt.Sprintf("asOf must be a date such as 2025-06-30 (the end of that day, Beijing time) or an RFC 3339 time such as 2025-06-30T18:00:00+08:00, not %q", s))
		}
		vars["asOf"], at.AsOf = t.Format(time.RFC3339Nano), t
	}
	return vars, at, nil
}

// parseAsOf reads a date (the last instant of that day in Asia/Shanghai, as
// taskledger audit --as-of reads it) or an RFC 3339 time.
func parseAsOf(s string) (time.Time, error) {
	if d, err := domain.ParseDate(s); err == nil {
		return d.EndOf().Add(-time.Nanosecond), nil
	}
	return time.Parse(time.RFC3339, s)
}

// auditEventJSON is an Event as the auditTrail query returns it.
type auditEventJSON = apiclient.Event

// auditTrailJSON is one page of the auditTrail query.
type auditTrailJSON struct {
	Intact   bool `json:"intact"`
	PageInfo struct {
		HasNextPage bool    `json:"hasNextPage"`
		EndCursor   *string `json:"endCursor"`
	} `json:"pageInfo"`
	Events []auditEventJSON `json:"nodes"`
}

// auditTrail fetches a whole audit trail through the auditTrail query,
// page by page, so the caller's token decides what it may read (inspectors
// any trail; bureau and county tokens their own unit's and streams), with
// each event's summary as the API gives it. The trail is intact when every
// page is and the links between consecutive versions of a stream hold
// across pages.
func (h *handler) auditTrail(ctx context.Context, authz string, q url.Values) (export.AuditTrail, error) {
	vars, at, err := auditParams(q)
	if err != nil {
		return at, err
	}
	const head = `query($task: Int, $unit: ID, $stream: String, $plan: ID, $asOf: Time, $first: Int, $after: Position) {`
	const trail = ` auditTrail(task: $task, unit: $unit, stream: $stream, plan: $plan, asOf: $asOf, first: $first, after: $after) { ` + auditEventFields + ` } }`
	size := h.auditPage
	if size <= 0 {
		size = auditPageSize
	}
	vars["first"] = size
	at.Intact = true
	type link struct {
		version uint64
		hash    string
	}
	last := map[string]link{}
	for page := 0; ; page++ {
		if page == maxAuditPages {
			return at, &exportError{http.StatusBadRequest, "INVALID_ARGUMENT", fmt.Sprintf(
				"the trail holds more than %d events, more than one export takes: narrow it to a unit or a stream, or to an earlier asOf", maxAuditPages*size)}
		}
		var data struct {
			Ledger struct {
				Notice *string `json:"notice"`
			} `json:"ledger"`
			Units struct {
				Nodes []struct {
					ID          string   `json:"id"`
					Name        string   `json:"name"`
					Aliases     []string `json:"aliases"`
					FormerNames []string `json:"formerNames"`
				} `json:"nodes"`
			} `json:"units"`
			A auditTrailJSON `json:"auditTrail"`
		}
		gq := head + trail
		if page == 0 {
			gq = head + ` ledger { notice } units(first: 500) { nodes { id name aliases formerNames } }` + trail
		}
		if err := h.query(ctx, authz, gq, vars, &data); err != nil {
			var ee *exportError
			if errors.As(err, &ee) && ee.code == "NOT_FOUND" && at.Unit != "" {
				ee.message = fmt.Sprintf("unit %q: %s (give a unit's id, name or alias)", at.Unit, ee.message)
			}
			return at, err
		}
		if page == 0 {
			at.Notice = deref(data.Ledger.Notice)
			for _, u := range data.Units.Nodes {
				if at.Unit != "" && (at.Unit == u.ID || at.Unit == u.Name || slices.Contains(u.Aliases, at.Unit) || slices.Contains(u.FormerNames, at.Unit)) {
					at.Unit = u.Name
				}
			}
		}
		at.Intact = at.Intact && data.A.Intact
		for _, e := range data.A.Events {
			if prev, ok := last[e.Stream]; ok && prev.version+1 == e.Version && prev.hash != e.PrevHash {
				at.Intact = false
			}
			last[e.Stream] = link{e.Version, e.Hash}
			at.Entries = append(at.Entries, export.AuditEntry{Position: e.Position, RecordedAt: e.RecordedAt, EffectiveAt: e.EffectiveAt,
				Actor: e.Actor, Summary: e.Summary, Type: e.Type, Stream: e.Stream, Flags: e.Flags, ID: e.ID, Hash: e.Hash})
		}
		if !data.A.PageInfo.HasNextPage || data.A.PageInfo.EndCursor == nil {
			return at, nil
		}
		vars["after"] = *data.A.PageInfo.EndCursor
	}
}

// auditFilename names an audit-trail export: audit-task10, audit-<unit>,
// audit-<stream>, with the as-of date (Beijing) when there is one.
// auditFilenameZH is an audit trail's name as a person reads it: 审计轨迹,
// then the task, unit or stream and the as-of date.
func auditFilenameZH(at export.AuditTrail) string {
	name := "审计轨迹"
	if at.Task > 0 {
		name += "-第" + strconv.Itoa(at.Task) + "项任务"
	}
	if at.Unit != "" {
		name += "-" + at.Unit
	}
	if at.Stream != "" {
		name += "-" + at.Stream
	}
	if !at.AsOf.IsZero() {
		name += "-" + at.AsOf.In(domain.Shanghai()).Format("20060102")
	}
	return safeName(name)
}

func auditFilename(at export.AuditTrail) string {
	name := "audit"
	if at.Task > 0 {
		name += "-task" + strconv.Itoa(at.Task)
	}
	if at.Unit != "" {
		name += "-" + at.Unit
	}
	if at.Stream != "" {
		name += "-" + at.Stream
	}
	if !at.AsOf.IsZero() {
		name += "-" + at.AsOf.In(domain.Shanghai()).Format("20060102")
	}
	return strings.NewReplacer("/", "_", "\\", "_").Replace(name)
}
