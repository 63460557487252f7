package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// BulletinPeriod is the span a bulletin (通报) reports on: a month
// ("2026-11") or a quarter ("2026Q4").
type BulletinPeriod struct {
	Year int
	// Month is set for a monthly bulletin, Quarter for a quarterly one.
	Month   time.Month
	Quarter int
}

// ParseBulletinPeriod reads "2026-11" or "2026Q4" (also "2026-Q4", any
// case). Errors: ErrInvalidArgument.
func ParseBulletinPeriod(s string) (BulletinPeriod, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	bad := errorf(ErrInvalidArgument, "period %q is neither a month (2026-11) nor a quarter (2026Q4)", s)
	if len(t) < 6 {
		return BulletinPeriod{}, bad
	}
	y, err := strconv.Atoi(t[:4])
	if err != nil || y < 1990 || y > 2100 {
		return BulletinPeriod{}, bad
	}
	rest := strings.TrimPrefix(t[4:], "-")
	if q, ok := strings.CutPrefix(rest, "Q"); ok {
		n, err := strconv.Atoi(q)
		if err != nil || len(q) != 1 || n < 1 || n > 4 {
			return BulletinPeriod{}, bad
		}
		return BulletinPeriod{Year: y, Quarter: n}, nil
	}
	m, err := strconv.Atoi(rest)
	if err != nil || len(rest) != 2 || t[4] != '-' || m < 1 || m > 12 {
		return BulletinPeriod{}, bad
	}
	return BulletinPeriod{Year: y, Month: time.Month(m)}, nil
}

// String is the period's canonical form: "2026-11" or "2026Q4".
func (p BulletinPeriod) String() string {
	if p.Quarter != 0 {
		return fmt.Sprintf("%04dQ%d", p.Year, p.Quarter)
	}
	return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month))
}

// Chinese names the period as a bulletin prints it: 2026年11月, 2026年第四季度.
func (p BulletinPeriod) Chinese() string {
	if p.Quarter != 0 {
		return fmt.Sprintf("%d年第%s季度", p.Year, []string{"一", "二", "三", "四"}[p.Quarter-1])
	}
	return fmt.Sprintf("%d年%d月", p.Year, int(p.Month))
}

// First is the period's first day; Last its last.
func (p BulletinPeriod) First() Date {
	m := p.Month
	if p.Quarter != 0 {
		m = time.Month(3*p.Quarter - 2)
	}
	return DateOf(time.Date(p.Year, m, 1, 12, 0, 0, 0, Shanghai()))
}

// Last is the period's last day.
func (p BulletinPeriod) Last() Date {
	f := p.First()
	n := 1
	if p.Quarter != 0 {
		n = 3
	}
	return DateOf(time.Date(f.Year(), f.Month()+time.Month(n), 1, 12, 0, 0, 0, Shanghai())).AddDays(-1)
}

// BulletinIssued records that the plan office issued a bulletin (通报): its
// number within the plan and the period's year, the period, the log
// position and instant its content was computed as of, and the SHA-256 of
// the rendered PDF, so anyone can render it again from that prefix of the
// log and check it byte for byte. Stream: plan-<plan>.
type BulletinIssued struct {
	Plan PlanID `json:"plan"`
	// Year is the period's year; Number counts the plan's bulletins of that
	// year from 1 (2026年第3期).
	Year   int    `json:"year"`
	Number int    `json:"number"`
	Period string `json:"period"`
	// AsOfPosition is the last log position the content was computed from;
	// AsOf the instant overdue and soon-due duties were judged at.
	AsOfPosition uint64    `json:"as_of_position"`
	AsOf         time.Time `json:"as_of"`
	// Digest is the SHA-256 of the rendered PDF.
	Digest Hash `json:"digest"`
}

// EventType implements EventData.
func (BulletinIssued) EventType() string { return "BulletinIssued" }

// IssuedBulletin is a bulletin a plan issued, as the aggregate keeps it.
type IssuedBulletin struct {
	Year, Number int
	Period       string
	AsOfPosition uint64
	AsOf         time.Time
	Digest       Hash
}

// IssueBulletin records a bulletin. Number must be the next number of the
// plan's bulletins of Year; the period may be issued once.
type IssueBulletin struct {
	Plan         PlanID
	Period       BulletinPeriod
	Number       int
	AsOfPosition uint64
	AsOf         time.Time
	Digest       Hash
}

// Stream implements Command.
func (c IssueBulletin) Stream() string { return PlanStream(c.Plan) }

// Validate implements Command.
func (c IssueBulletin) Validate() error {
	if err := c.Plan.Validate(); err != nil {
		return err
	}
	if _, err := ParseBulletinPeriod(c.Period.String()); err != nil {
		return err
	}
	switch {
	case c.Number < 1:
		return errorf(ErrInvalidArgument, "bulletin number %d is not positive", c.Number)
	case c.AsOf.IsZero():
		return errorf(ErrInvalidArgument, "a bulletin needs the instant it is computed as of")
	case c.Digest.IsZero():
		return errorf(ErrInvalidArgument, "a bulletin needs the digest of its PDF")
	}
	return nil
}

// NextBulletin is the number the plan's next bulletin of year takes.
func (p *Plan) NextBulletin(year int) int {
	n := 1
	for _, b := range p.Bulletins {
		if b.Year == year && b.Number >= n {
			n = b.Number + 1
		}
	}
	return n
}

// BulletinOf returns the bulletin issued for a period, if any.
func (p *Plan) BulletinOf(period string) (IssuedBulletin, bool) {
	for _, b := range p.Bulletins {
		if b.Period == period {
			return b, true
		}
	}
	return IssuedBulletin{}, false
}

// IssueBulletin decides an IssueBulletin command. Errors: ErrNotFound,
// ErrAlreadyExists (the period was issued), ErrInvalidArgument (not the
// next number).
func (p *Plan) IssueBulletin(c IssueBulletin, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), p.routed(c.Plan), p.exists(c.Plan)); err != nil {
		return nil, err
	}
	if b, ok := p.BulletinOf(c.Period.String()); ok {
		return nil, errorf(ErrAlreadyExists, "the bulletin of %s was issued as %d no. %d", c.Period, b.Year, b.Number)
	}
	if next := p.NextBulletin(c.Period.Year); c.Number != next {
		return nil, errorf(ErrInvalidArgument, "the next bulletin of %d is no. %d, not %d", c.Period.Year, next, c.Number)
	}
	return []EventData{BulletinIssued{
		Plan: c.Plan, Year: c.Period.Year, Number: c.Number, Period: c.Period.String(),
		AsOfPosition: c.AsOfPosition, AsOf: c.AsOf, Digest: c.Digest,
	}}, nil
}
