package main

import (
	"context"
	"io"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/internal/progress"
	"taskledger/replay"
)

// reportEvery is how many events pass between two reports to a meter.
const reportEvery = 512

// meter starts a progress meter on the command's stderr: a bar when it is
// a terminal, plain lines otherwise.
func (a *cli) meter(task, taskEN, unit, unitEN string, total int64) *progress.Meter {
	return progress.New(progress.Config{
		W: a.stderr, Terminal: progress.IsTerminal(a.stderr),
		Task: task, TaskEN: taskEN, Unit: unit, UnitEN: unitEN, Total: total, Now: a.now,
	})
}

// readMeter starts a meter of how far through the log a read has come, by
// position, up to the store's head now.
func (a *cli) readMeter(ctx context.Context, s eventstore.Store, task, taskEN string) *progress.Meter {
	head, err := s.Head(ctx)
	if err != nil {
		head = 0 // the read itself will say what is wrong
	}
	return a.meter(task, taskEN, "位置", "position", int64(head))
}

// finish ends a meter: complete when the work succeeded.
func finish(m *progress.Meter, err error) {
	if err == nil {
		m.Complete()
		return
	}
	m.Finish()
}

// progressStore passes everything to the store and reports to a meter the
// position of the events read (reads set) or the count of events appended
// (appends set).
type progressStore struct {
	eventstore.Store
	m              *progress.Meter
	reads, appends bool
	n              *int64 // events seen since the last report
}

// scanProgressStore is a progressStore over a store that scans its log in
// bulk (replay.Scanner), which it keeps doing.
type scanProgressStore struct {
	progressStore
	sc replay.Scanner
}

// withProgress wraps s so that its reads or appends report to m.
func withProgress(s eventstore.Store, m *progress.Meter, reads, appends bool) eventstore.Store {
	p := progressStore{Store: s, m: m, reads: reads, appends: appends, n: new(int64)}
	if sc, ok := s.(replay.Scanner); ok {
		return scanProgressStore{progressStore: p, sc: sc}
	}
	return p
}

// read reports one event read, every reportEvery events.
func (p progressStore) read(pos uint64) {
	if *p.n++; *p.n%reportEvery == 0 {
		p.m.Set(int64(pos))
	}
}

// ReadAll implements eventstore.Store.
func (p progressStore) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Event, error) {
	evs, err := p.Store.ReadAll(ctx, after, limit)
	if p.reads && len(evs) > 0 {
		p.m.Set(int64(evs[len(evs)-1].Position))
	}
	return evs, err
}

// Append implements eventstore.Store.
func (p progressStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []domain.Event) (eventstore.AppendResult, error) {
	res, err := p.Store.Append(ctx, stream, expected, events)
	if p.appends && err == nil && !res.Duplicate {
		p.m.Add(int64(len(res.Events)))
	}
	return res, err
}

// ScanAll implements replay.Scanner.
func (p scanProgressStore) ScanAll(ctx context.Context, after uint64, fn func(*domain.Event) error) error {
	if !p.reads {
		return p.sc.ScanAll(ctx, after, fn)
	}
	return p.sc.ScanAll(ctx, after, func(e *domain.Event) error {
		p.read(e.Position)
		return fn(e)
	})
}

// progressReader reports to a meter how many bytes were read.
type progressReader struct {
	r io.Reader
	m *progress.Meter
	n int64
}

// Read implements io.Reader.
func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	p.m.Set(p.n)
	return n, err
}
