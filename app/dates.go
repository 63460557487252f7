package app

import (
	"context"
	"time"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/internal/msg"
)

// DefaultLookback is how far before a plan's start (its issue date when
// the ledger knows it, else its registration in the ledger) a report,
// claim or measurement may speak of: long enough to record the work of the
// months before a plan reached the ledger, short enough to refuse dates
// nobody could mean.
const DefaultLookback = 366 * 24 * time.Hour

// earliest is the first instant any time in the ledger may name.
var earliest = time.Date(1970, time.January, 1, 0, 0, 0, 0, time.UTC)

// planStart returns the start of a plan: its issue date, else the
// recorded time of its registration. A registered plan's start never
// changes, so it is kept.
func (s *Service) planStart(ctx context.Context, plan domain.PlanID) (time.Time, error) {
	if t, ok := s.starts.Load(plan); ok {
		return t.(time.Time), nil
	}
	var start time.Time
	if p, ok := s.current().Catalog.Plan(plan); ok && !p.IssuedOn.IsZero() {
		start = p.IssuedOn.StartOf()
	} else {
		first, err := s.store.ReadStream(ctx, domain.PlanStream(plan), eventstore.Forwards, 1, 1)
		if err != nil || len(first) == 0 {
			return time.Time{}, fail(msg.PlanNotRegistered, msg.Args{"Plan": plan})
		}
		start = first[0].RecordedAt
	}
	s.starts.Store(plan, start)
	return start, nil
}

// window is the span of time an input about a plan may speak of: from the
// plan's start less the lookback to now.
type window struct {
	from, to time.Time
}

// dateWindow returns the window of a plan at now.
func (s *Service) dateWindow(ctx context.Context, plan domain.PlanID, now time.Time) (window, error) {
	start, err := s.planStart(ctx, plan)
	if err != nil {
		return window{}, err
	}
	from := start.Add(-s.lookback)
	if from.Before(earliest) {
		from = earliest
	}
	return window{from: from, to: now}, nil
}

// instant checks a moment an input names (field is its name, which a
// refusal names as its Error.Field): given, it
// must lie in the window; nil means now. A zero or pre-1970 time is
// refused, never read as now.
func (w window) instant(field string, t *time.Time) (time.Time, error) {
	if t == nil {
		return time.Time{}, nil
	}
	sh := domain.Shanghai()
	switch {
	case t.Before(earliest):
		return time.Time{}, fail(msg.TimeInvalid, msg.Args{"Field": field, "When": t.UTC().Format(time.RFC3339), "WhenZH": t.In(sh).Format("2006-01-02")}).at(field)
	case t.After(w.to):
		return time.Time{}, fail(msg.TimeFuture, msg.Args{"Field": field, "When": t.Format(time.RFC3339), "WhenZH": t.In(sh).Format("2006-01-02 15:04")}).at(field)
	case t.Before(w.from):
		return time.Time{}, fail(msg.TimeBeforePlan, msg.Args{"Field": field, "When": t.Format(time.RFC3339), "WhenZH": t.In(sh).Format("2006-01-02"), "From": w.from.In(sh).Format("2006-01-02")}).at(field)
	}
	return *t, nil
}

// month checks a reporting or measurement month (the input's field): inside
// the window, not after the current month.
func (w window) month(field string, ym domain.YearMonth) error {
	if ym.IsZero() {
		return nil
	}
	sh := domain.Shanghai()
	last := ym.LastDay().EndOf()
	switch {
	case ym.FirstDay().StartOf().After(w.to):
		return fail(msg.MonthFuture, msg.Args{"Field": field, "Month": ym}).at(field)
	case last.Before(w.from):
		return fail(msg.MonthBeforePlan, msg.Args{"Field": field, "Month": ym, "From": w.from.In(sh).Format("2006-01")}).at(field)
	}
	return nil
}
