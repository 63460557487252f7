package domain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"time"

	"github.com/google/uuid"
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

// GobEncode writes the reports in a compact binary form of their own
// (appendReports), so that a read model's snapshot holds them whatever the
// list's layout. Gob's own encoding of a slice of reports, with their
// months as text, made restoring the obligations of a million events
// slower than folding those events again.
func (l ReportList) GobEncode() ([]byte, error) {
	return l.appendReports(make([]byte, 0, 1+binary.MaxVarintLen64+l.n*reportRecordTypical)), nil
}

// GobDecode reads what GobEncode wrote. Bytes of another form, cut short
// or followed by anything are refused with an error; the list is then
// unchanged.
func (l *ReportList) GobDecode(data []byte) error {
	got, err := readReports(data)
	if err != nil {
		return fmt.Errorf("decode reports: %w", err)
	}
	*l = got
	return nil
}

// reportsForm opens the encoded list and names its form; a reader refuses
// any other.
const reportsForm = 1

// The encoded list is reportsForm, the count as a uvarint, then each report:
// a flags byte (reportReturned when the report was sent back), the month as
// the uvarint year<<4|month, the percent as a varint, the event ID (16
// bytes), ReportedAt and RecordedAt (8 bytes each, little-endian), and,
// for a returned report only, ReturnedEventID and ReturnedAt.
const (
	reportReturned  = 1 << 0
	reportRecordMin = 1 + 1 + 1 + 16 + 8 + 8
	// reportRecordTypical is a report not sent back, of a month of these
	// centuries (3 bytes) and a percent up to 100 (at most 2).
	reportRecordTypical = reportRecordMin + 2 + 1
)

// appendReports appends the list's encoding to b.
func (l *ReportList) appendReports(b []byte) []byte {
	b = append(b, reportsForm)
	b = binary.AppendUvarint(b, uint64(l.n))
	for _, r := range l.All() {
		b = appendReport(b, r)
	}
	return b
}

// appendReport appends one report's encoding to b.
func appendReport(b []byte, r *PeriodReport) []byte {
	returned := r.ReturnedEventID != uuid.Nil || r.ReturnedAt != 0
	var flags byte
	if returned {
		flags |= reportReturned
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(r.Period.y)<<4|uint64(r.Period.m))
	b = binary.AppendVarint(b, int64(r.Percent))
	b = append(b, r.EventID[:]...)
	b = binary.LittleEndian.AppendUint64(b, uint64(r.ReportedAt))
	b = binary.LittleEndian.AppendUint64(b, uint64(r.RecordedAt))
	if returned {
		b = append(b, r.ReturnedEventID[:]...)
		b = binary.LittleEndian.AppendUint64(b, uint64(r.ReturnedAt))
	}
	return b
}

// errReportsForm is what readReports returns for bytes it cannot read.
var (
	errReportsForm = errors.New("not a report list of this form")
	errReportsCut  = fmt.Errorf("%w: cut short", errReportsForm)
)

// readReports reads a list appendReports wrote, and nothing after it.
func readReports(data []byte) (ReportList, error) {
	if len(data) == 0 || data[0] != reportsForm {
		return ReportList{}, fmt.Errorf("%w: it does not open with form %d", errReportsForm, reportsForm)
	}
	n, k := binary.Uvarint(data[1:])
	if k <= 0 || n > uint64(len(data)/reportRecordMin) {
		return ReportList{}, fmt.Errorf("%w: unreadable count", errReportsForm)
	}
	rest := data[1+k:]
	var l ReportList
	for i := range int(n) {
		var r PeriodReport
		var err error
		if r, rest, err = readReport(rest); err != nil {
			return ReportList{}, fmt.Errorf("report %d of %d: %w", i+1, n, err)
		}
		l.Append(r)
	}
	if len(rest) != 0 {
		return ReportList{}, fmt.Errorf("%w: %d bytes after the last report", errReportsForm, len(rest))
	}
	return l, nil
}

// readReport reads one report from the front of b and returns what is left.
func readReport(b []byte) (PeriodReport, []byte, error) {
	var r PeriodReport
	if len(b) < 1 {
		return r, nil, errReportsCut
	}
	flags := b[0]
	if flags&^reportReturned != 0 {
		return r, nil, fmt.Errorf("%w: unknown flags %#x", errReportsForm, flags)
	}
	ym, k := binary.Uvarint(b[1:])
	if k <= 0 || ym&15 > 12 || ym>>4 > math.MaxInt32 {
		return r, nil, fmt.Errorf("%w: unreadable month", errReportsForm)
	}
	b = b[1+k:]
	r.Period = YearMonth{y: int(ym >> 4), m: time.Month(ym & 15)}
	pct, k := binary.Varint(b)
	if k <= 0 || pct < math.MinInt32 || pct > math.MaxInt32 {
		return r, nil, fmt.Errorf("%w: unreadable percent", errReportsForm)
	}
	r.Percent = Percent(pct)
	b = b[k:]
	if len(b) < 16+8+8 {
		return r, nil, errReportsCut
	}
	r.EventID = uuid.UUID(b[:16])
	r.ReportedAt = Instant(binary.LittleEndian.Uint64(b[16:]))
	r.RecordedAt = Instant(binary.LittleEndian.Uint64(b[24:]))
	b = b[32:]
	if flags&reportReturned != 0 {
		if len(b) < 16+8 {
			return r, nil, errReportsCut
		}
		r.ReturnedEventID = uuid.UUID(b[:16])
		r.ReturnedAt = Instant(binary.LittleEndian.Uint64(b[16:]))
		b = b[24:]
	}
	return r, b, nil
}
