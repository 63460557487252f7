package domain

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// numbered is a report told apart by n.
func numbered(n int) PeriodReport {
	return PeriodReport{Percent: Percent(n % 101), EventID: uuid.UUID{byte(n), byte(n >> 8), byte(n >> 16)}}
}

// A list holds what a slice would, in order, across its first slice and
// its chunks.
func TestReportListHoldsWhatASliceHolds(t *testing.T) {
	var l ReportList
	var want []PeriodReport
	for n := range 4*reportChunkLen + 7 {
		if l.Len() != len(want) {
			t.Fatalf("length %d, want %d", l.Len(), len(want))
		}
		if got := l.Slice(); !slices.Equal(got, want) {
			t.Fatalf("after %d appends the list differs from the slice", n)
		}
		l.Append(numbered(n))
		want = append(want, numbered(n))
	}
	for i, r := range l.All() {
		if *r != want[i] || *l.At(i) != want[i] {
			t.Fatalf("report %d differs", i)
		}
	}
	if got := ReportListOf(want...); !slices.Equal(got.Slice(), want) {
		t.Fatal("ReportListOf differs from the reports given")
	}
}

// A copy keeps the reports it held when copied: the original's later
// appends and updates do not reach it.
func TestReportListCopiesKeepWhatTheyHeld(t *testing.T) {
	for _, at := range []int{0, 1, reportChunkLen - 1, reportChunkLen, reportChunkLen + 1, 3*reportChunkLen - 1, 3 * reportChunkLen} {
		var l ReportList
		for n := range at {
			l.Append(numbered(n))
		}
		copied, want := l, l.Slice()
		for n := at; n < at+2*reportChunkLen+3; n++ {
			l.Append(numbered(n))
		}
		for _, i := range []int{0, at / 2, at - 1, at, l.Len() - 1} {
			if i >= 0 && i < l.Len() {
				l.Update(i, func(r *PeriodReport) { r.Percent = 100; r.ReturnedAt = 1 })
				if l.At(i).ReturnedAt != 1 {
					t.Fatalf("copy at %d: update of report %d did not take", at, i)
				}
			}
		}
		if got := copied.Slice(); copied.Len() != at || !slices.Equal(got, want) {
			t.Fatalf("copy at %d reports: now %d reports, changed %v", at, copied.Len(), !slices.Equal(got, want))
		}
	}
}

// A clipped copy takes reports of its own without writing into what the
// original holds, and the original's appends do not reach it.
func TestReportListClipSeparates(t *testing.T) {
	for _, at := range []int{0, 5, reportChunkLen, reportChunkLen + 5, 2 * reportChunkLen} {
		var l ReportList
		for n := range at {
			l.Append(numbered(n))
		}
		c := l.Clip()
		for n := range reportChunkLen + 2 {
			c.Append(numbered(10000 + n))
			l.Append(numbered(20000 + n))
		}
		for i := at; i < l.Len(); i++ {
			if *l.At(i) != numbered(20000+i-at) || *c.At(i) != numbered(10000+i-at) {
				t.Fatalf("clipped at %d: report %d is shared", at, i)
			}
		}
	}
}

// A reader of a copy runs beside appends to the original (go test -race).
func TestReportListCopyReadWhileOriginalGrows(t *testing.T) {
	var l ReportList
	for n := range reportChunkLen + 3 {
		l.Append(numbered(n))
	}
	copied := l
	var wg sync.WaitGroup
	wg.Go(func() {
		for range 50 {
			for i, r := range copied.All() {
				if *r != numbered(i) {
					t.Errorf("report %d changed under the reader", i)
					return
				}
			}
		}
	})
	for n := l.Len(); n < 6*reportChunkLen; n++ {
		l.Append(numbered(n))
	}
	wg.Wait()
}

// A list crosses gob (read models' snapshots) whole, empty or not.
func TestReportListGob(t *testing.T) {
	for _, size := range []int{0, 1, 3*reportChunkLen + 1} {
		var l ReportList
		for n := range size {
			l.Append(numbered(n))
		}
		var b bytes.Buffer
		if err := gob.NewEncoder(&b).Encode(struct{ R ReportList }{l}); err != nil {
			t.Fatal(err)
		}
		var got struct{ R ReportList }
		if err := gob.NewDecoder(&b).Decode(&got); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.R.Slice(), l.Slice()) {
			t.Fatalf("%d reports: gob gives back %d", size, got.R.Len())
		}
	}
}

// At outside the list panics, as a slice index would.
func TestReportListAtOutsidePanics(t *testing.T) {
	l := ReportListOf(numbered(1))
	for _, i := range []int{-1, 1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("At(%d) of a list of 1 did not panic", i)
				}
			}()
			l.At(i)
		}()
	}
}

// full returns report n with every field set, sent back when n is odd.
func full(n int) PeriodReport {
	r := numbered(n)
	r.Period = YearMonth{y: 2020 + n%7, m: time.Month(1 + n%12)}
	r.ReportedAt = Instant(int64(n) * 1_000_003)
	r.RecordedAt = Instant(-int64(n) * 7)
	if n%2 == 1 {
		r.ReturnedEventID = uuid.UUID{15: byte(n)}
		r.ReturnedAt = epochInstant
	}
	return r
}

// Every field of every report crosses a snapshot as it was, sent back or
// not, with the extreme months and instants.
func TestReportListEncodingKeepsEveryField(t *testing.T) {
	l := ReportListOf(PeriodReport{}, PeriodReport{Period: YearMonth{y: 9999, m: 12}, Percent: 100, ReportedAt: math.MaxInt64, RecordedAt: math.MinInt64})
	for n := range 2*reportChunkLen + 3 {
		l.Append(full(n))
	}
	b, err := l.GobEncode()
	if err != nil {
		t.Fatal(err)
	}
	var got ReportList
	if err := got.GobDecode(b); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Slice(), l.Slice()) {
		t.Fatalf("restored %d reports differ from the %d written", got.Len(), l.Len())
	}
}

// Bytes that are not a whole list of this form are refused, and the list
// keeps what it held: cut short anywhere, followed by more, of another
// form, or with flags or a month this form does not know.
func TestReportListEncodingRefusesDamage(t *testing.T) {
	l := ReportListOf(full(1), full(2), full(3))
	good, _ := l.GobEncode()
	other := func(i int, v byte) []byte { b := slices.Clone(good); b[i] = v; return b }
	cases := map[string][]byte{
		"empty":        {},
		"another form": other(0, reportsForm+1),
		"huge count":   append([]byte{reportsForm}, binary.AppendUvarint(nil, 1<<40)...),
		"trailing":     append(slices.Clone(good), 0),
		"flags":        other(2, 0x80),
		"month 13":     append(append([]byte{reportsForm, 1, 0}, binary.AppendUvarint(nil, 2025<<4|13)...), make([]byte, 40)...),
	}
	for n := 1; n < len(good); n++ {
		cases[fmt.Sprintf("cut at %d", n)] = good[:n]
	}
	for name, b := range cases {
		held := ReportListOf(full(9))
		if err := held.GobDecode(b); !errors.Is(err, errReportsForm) {
			t.Errorf("%s: error %v, want a refusal of the form", name, err)
		}
		if held.Len() != 1 || *held.At(0) != full(9) {
			t.Errorf("%s: the list changed on a refusal", name)
		}
	}
}
