package scoring

import (
	"slices"

	"taskledger/domain"
)

// ReportIndex says where an obligation's progress reports stand in its
// PeriodReports, grouped by the month each covers, so that a scorecard
// reads the reports of the periods it judges rather than a duty's whole
// history (thousands of reports a duty on a busy ledger). A read model
// keeps one per obligation and updates it as reports are folded; the zero
// value indexes nothing.
type ReportIndex struct {
	// months are the months reported on, in the order first seen; at[i]
	// lists, ascending, the indexes of the reports covering months[i].
	months []domain.YearMonth
	at     [][]int32
	// n is how many reports are indexed: PeriodReports[:n].
	n int
}

// Update indexes the reports appended since the last update. reports must
// be the obligation's PeriodReports: the domain only appends to them (a
// send-back changes a copy of one report in place, never its period or
// place). Should they ever be fewer than indexed, the index starts over.
func (ix *ReportIndex) Update(reports *domain.ReportList) {
	if reports.Len() < ix.n {
		*ix = ReportIndex{}
	}
	for i := ix.n; i < reports.Len(); i++ {
		m := reports.At(i).Period
		// Reports mostly come month after month: try the newest first.
		j := len(ix.months) - 1
		if j < 0 || ix.months[j] != m {
			j = slices.Index(ix.months, m)
		}
		if j < 0 {
			j = len(ix.months)
			ix.months = append(ix.months, m)
			ix.at = append(ix.at, nil)
		}
		ix.at[j] = append(ix.at[j], int32(i))
	}
	ix.n = reports.Len()
}

// Len returns how many reports are indexed.
func (ix *ReportIndex) Len() int { return ix.n }

// Frozen returns a copy of the index that later updates of ix do not
// change: hand it out under the read model's lock, use it after.
func (ix *ReportIndex) Frozen() *ReportIndex {
	at := make([][]int32, len(ix.at))
	for i, a := range ix.at {
		at[i] = slices.Clip(a)
	}
	return &ReportIndex{months: slices.Clone(ix.months), at: at, n: ix.n}
}

// within returns, ascending, the indexes of the reports whose month's
// first day lies in [first, last].
func (ix *ReportIndex) within(first, last domain.Date) []int32 {
	var out []int32
	found := 0
	for i, m := range ix.months {
		if d := m.FirstDay(); d.Before(first) || d.After(last) {
			continue
		}
		found++
		if found == 1 {
			out = ix.at[i]
			continue
		}
		if found == 2 {
			out = slices.Clone(out)
		}
		out = append(out, ix.at[i]...)
	}
	if found > 1 {
		slices.Sort(out)
	}
	return out
}
