package domain

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"iter"
	"slices"
)

// ReportList holds an obligation's progress reports in recording order.
// The first reportChunkLen reports are one slice, grown as append grows
// it; the rest are kept in fixed chunks, so a duty with thousands of
// reports takes one more without copying those before. (As one slice, a
// rebuild of a million events spent about a fifth of its CPU copying
// growing report slices and clearing the memory they moved to.)
//
// A ReportList copied by value, as an Obligation is when read models hand
// it out, shares its reports with the original and holds those it held
// when copied: the original only adds reports beyond a copy's length and
// replaces, never changes, storage a copy may read. A copy that will
// itself take reports is made with Clip first, as a slice would be.
//
// The zero value is an empty list.
type ReportList struct {
	head []PeriodReport // reports [0, min(n, reportChunkLen))
	rest []*[reportChunkLen]PeriodReport
	n    int
}

// reportChunkLen is the length of the first slice and of every chunk:
// 128 reports of 80 bytes fill one of Go's size classes (10 KiB), and a
// power of two makes finding report i two shifts.
const (
	reportChunkShift = 7
	reportChunkLen   = 1 << reportChunkShift
)

// ReportListOf returns a list of the given reports.
func ReportListOf(reports ...PeriodReport) ReportList {
	var l ReportList
	for _, r := range reports {
		l.Append(r)
	}
	return l
}

// Len returns the number of reports.
func (l *ReportList) Len() int { return l.n }

// At returns report i (0 ≤ i < Len). The report is shared with copies of
// the list: read it, do not change it.
func (l *ReportList) At(i int) *PeriodReport {
	if uint(i) >= uint(l.n) {
		outOfRange(i, l.n)
	}
	if i < reportChunkLen {
		return &l.head[i]
	}
	i -= reportChunkLen
	return &l.rest[i>>reportChunkShift][i&(reportChunkLen-1)]
}

// outOfRange panics as a slice index out of range would.
func outOfRange(i, n int) {
	panic(fmt.Sprintf("domain: report %d of a list of %d", i, n))
}

// All yields each report's index and the report, in recording order.
func (l *ReportList) All() iter.Seq2[int, *PeriodReport] {
	return func(yield func(int, *PeriodReport) bool) {
		for i := range l.n {
			if !yield(i, l.At(i)) {
				return
			}
		}
	}
}

// Slice returns the reports as a new slice.
func (l *ReportList) Slice() []PeriodReport {
	out := make([]PeriodReport, 0, l.n)
	for _, r := range l.All() {
		out = append(out, *r)
	}
	return out
}

// Append adds r after the last report.
func (l *ReportList) Append(r PeriodReport) {
	if l.n < reportChunkLen {
		if l.n == cap(l.head) {
			// Grow as append would, but never past the first chunk's length.
			l.head = slices.Grow(l.head[:l.n], min(max(l.n, 4), reportChunkLen-l.n))
		}
		l.head = append(l.head[:l.n], r)
		l.n++
		return
	}
	i := l.n - reportChunkLen
	if i%reportChunkLen == 0 {
		l.rest = append(l.rest[:i/reportChunkLen], new([reportChunkLen]PeriodReport))
	}
	l.rest[i/reportChunkLen][i%reportChunkLen] = r
	l.n++
}

// Clip returns a copy of the list whose appends write nothing its
// original or other copies share (slices.Clip for a list): the last
// chunk, when part filled, is copied.
func (l ReportList) Clip() ReportList {
	l.head = slices.Clip(l.head[:min(l.n, reportChunkLen)])
	if l.n <= reportChunkLen {
		l.rest = nil
		return l
	}
	chunks := (l.n - reportChunkLen + reportChunkLen - 1) / reportChunkLen
	l.rest = slices.Clip(l.rest[:chunks])
	if (l.n-reportChunkLen)%reportChunkLen != 0 {
		l.rest = slices.Clone(l.rest)
		last := *l.rest[chunks-1]
		l.rest[chunks-1] = &last
	}
	return l
}

// Update changes report i through change, on a copy of the storage that
// holds it, so that copies of the list keep the report as it was.
func (l *ReportList) Update(i int, change func(*PeriodReport)) {
	if uint(i) >= uint(l.n) {
		outOfRange(i, l.n)
	}
	if i < reportChunkLen {
		l.head = slices.Clone(l.head[:min(l.n, reportChunkLen)])
		change(&l.head[i])
		return
	}
	j := (i - reportChunkLen) / reportChunkLen
	l.rest = slices.Clone(l.rest)
	chunk := *l.rest[j]
	l.rest[j] = &chunk
	change(&chunk[(i-reportChunkLen)%reportChunkLen])
}

// GobEncode writes the reports as gob writes a slice of them, so that a
// read model's snapshot holds them whatever the list's layout.
func (l ReportList) GobEncode() ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(l.Slice()); err != nil {
		return nil, fmt.Errorf("encode reports: %w", err)
	}
	return b.Bytes(), nil
}

// GobDecode reads what GobEncode wrote.
func (l *ReportList) GobDecode(data []byte) error {
	var reports []PeriodReport
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&reports); err != nil {
		return fmt.Errorf("decode reports: %w", err)
	}
	*l = ReportListOf(reports...)
	return nil
}
