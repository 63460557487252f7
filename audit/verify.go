package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"

	"taskledger/domain"
	"taskledger/eventstore"
)

// BreakKind names what kind of damage verification found.
type BreakKind string

// The kinds of break.
const (
	// BreakHash: an event's content does not hash to its stored hash (a
	// changed payload, time, actor…).
	BreakHash BreakKind = "hash"
	// BreakChain: an event's prev_hash is not its predecessor's hash.
	BreakChain BreakKind = "chain"
	// BreakVersion: a stream's versions skip or repeat (an event of the
	// stream deleted, inserted or moved).
	BreakVersion BreakKind = "version"
	// BreakOrder: positions do not strictly increase.
	BreakOrder BreakKind = "order"
	// BreakTime: an event's recorded time is missing or earlier than its
	// predecessor's in the log (recorded time never decreases).
	BreakTime BreakKind = "time"
	// BreakLeaf: an export line's leaf number is not its place in the file.
	BreakLeaf BreakKind = "leaf"
	// BreakDecode: an export line cannot be read.
	BreakDecode BreakKind = "decode"
	// BreakTrailer: an export's trailer is missing or disagrees with its events.
	BreakTrailer BreakKind = "trailer"
	// BreakShort: the log holds fewer events than the checkpoint covers.
	BreakShort BreakKind = "short"
	// BreakRoot: the first Size events do not hash to the checkpoint's root.
	BreakRoot BreakKind = "root"
	// BreakSignature: the checkpoint was not signed by the given key.
	BreakSignature BreakKind = "signature"
)

// ErrBroken matches every *BreakError with errors.Is.
var ErrBroken = errors.New("ledger verification failed")

// BreakError names the first place where the ledger is not intact.
type BreakError struct {
	Kind BreakKind
	// Leaf is the 0-based index in log order of the event concerned (the
	// number of events read before it).
	Leaf uint64
	// Position, Stream and Version identify the event concerned, when
	// there is one.
	Position uint64
	Stream   string
	Version  uint64
	// Line is the 1-based line of an export, when verifying one.
	Line   int
	Detail string
}

func (e *BreakError) Error() string {
	where := ""
	if e.Stream != "" || e.Position != 0 {
		where = fmt.Sprintf(" at stream %s version %d position %d (leaf %d)", e.Stream, e.Version, e.Position, e.Leaf)
	}
	if e.Line > 0 {
		where += fmt.Sprintf(" line %d", e.Line)
	}
	return fmt.Sprintf("ledger broken (%s)%s: %s", e.Kind, where, e.Detail)
}

// Is makes errors.Is(err, ErrBroken) true.
func (e *BreakError) Is(target error) bool { return target == ErrBroken }

// VerifyOptions configure Verify.
type VerifyOptions struct {
	// Checkpoint, when set, must be consistent with the log: the log holds
	// at least Checkpoint.Size events and the first Size hash to its root.
	Checkpoint *Checkpoint
	// PublicKey, when set with Checkpoint, must have signed it.
	PublicKey ed25519.PublicKey
	// Workers hash events in parallel; 0 means GOMAXPROCS.
	Workers int
	// Visit, when set, is called for every verified event in log order,
	// with its leaf index and leaf hash. It must not keep e or e.Payload.
	Visit func(leaf uint64, leafHash Hash, e *domain.Event) error
}

// VerifyResult describes an intact ledger.
type VerifyResult struct {
	Events  uint64
	Streams int
	// Head is the position of the last event.
	Head uint64
	// Root is the Merkle root of the whole log.
	Root Hash
	// CheckpointRoot is the root at the checkpoint's size, when one was given.
	CheckpointRoot Hash
	// SignatureChecked is true when the checkpoint's signature was verified.
	SignatureChecked bool
}

// batchSize is how many events a worker hashes at a time.
const batchSize = 512

// batch is a run of consecutive events, decoded and hashed by a worker,
// checked in order by the consumer.
type batch struct {
	first  uint64 // leaf index of events[0] (exports: of lines[0])
	events []domain.Event
	arena  []byte
	// Exports: the raw lines, their line numbers and leaf fields.
	lines    [][]byte
	lineNo   []int
	leafNo   []uint64
	decodeAt int // index of the first line that failed to decode, or -1
	decodeEr error
	hashes   []Hash // computed event hashes
	leaves   []Hash // leaf hashes of the stored event hashes
	done     chan struct{}
}

func (b *batch) reset(first uint64) {
	b.first = first
	b.events = b.events[:0]
	b.arena = b.arena[:0]
	b.lines = b.lines[:0]
	b.lineNo = b.lineNo[:0]
	b.leafNo = b.leafNo[:0]
	b.decodeAt = -1
	b.decodeEr = nil
	b.done = make(chan struct{})
}

// work decodes (exports) and hashes a batch.
func (b *batch) work() {
	defer close(b.done)
	if len(b.lines) > 0 {
		b.events = slices.Grow(b.events[:0], len(b.lines))[:len(b.lines)]
		for i, l := range b.lines {
			leaf, err := decodeExportLine(l, &b.events[i])
			if err != nil {
				b.decodeAt, b.decodeEr = i, err
				b.events = b.events[:i]
				break
			}
			b.leafNo = append(b.leafNo, leaf)
		}
	}
	b.hashes = b.hashes[:0]
	b.leaves = b.leaves[:0]
	for i := range b.events {
		e := &b.events[i]
		b.hashes = append(b.hashes, e.ComputeHash())
		b.leaves = append(b.leaves, LeafHash(e.Hash))
	}
}

// producer fills batches in order and hands them out.
type producer func(ctx context.Context, next func() *batch, send func(*batch) error) error

// VerifyStore verifies a store's whole log.
func VerifyStore(ctx context.Context, s eventstore.Store, opts VerifyOptions) (VerifyResult, error) {
	return verify(ctx, opts, false, func(ctx context.Context, next func() *batch, send func(*batch) error) error {
		var leaf uint64
		b := next()
		b.reset(0)
		err := scanStore(ctx, s, func(e *domain.Event) error {
			start := len(b.arena)
			b.arena = append(b.arena, e.Payload...)
			b.events = append(b.events, *e)
			b.events[len(b.events)-1].Payload = b.arena[start:len(b.arena):len(b.arena)]
			leaf++
			if len(b.events) == batchSize {
				if err := send(b); err != nil {
					return err
				}
				b = next()
				b.reset(leaf)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return send(b)
	})
}

// VerifyExport verifies an export file's events and trailer.
func VerifyExport(ctx context.Context, r io.Reader, opts VerifyOptions) (VerifyResult, error) {
	x := &exportScan{br: bufio.NewReaderSize(r, 1<<20)}
	res, err := verify(ctx, opts, true, func(_ context.Context, next func() *batch, send func(*batch) error) error {
		return x.run(next, send)
	})
	if err != nil {
		return res, err
	}
	return res, x.checkTrailer(res)
}

// exportScan reads an export's lines into batches: the header, the event
// lines, then the trailer, which it keeps for checkTrailer.
type exportScan struct {
	br          *bufio.Reader
	long        []byte // a line longer than br's buffer
	lineNo      int
	leaf        uint64 // event lines read
	trailer     *exportEnd
	trailerLine int
}

// run reads every line, sending full batches of event lines and the last,
// partial one.
func (x *exportScan) run(next func() *batch, send func(*batch) error) error {
	b := next()
	b.reset(0)
	for {
		line, err := x.readLine()
		if len(line) > 0 {
			x.lineNo++
			var terr error
			if b, terr = x.take(bytes.TrimRight(line, "\r\n"), b, next, send); terr != nil {
				return terr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read export line %d: %w", x.lineNo+1, err)
		}
	}
	if x.lineNo == 0 {
		return &BreakError{Kind: BreakDecode, Line: 1, Detail: "the export is empty"}
	}
	return send(b)
}

// readLine returns the next line, however long, with its line ending; the
// bytes are valid until the next call.
func (x *exportScan) readLine() ([]byte, error) {
	line, err := x.br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return line, err
	}
	x.long = append(x.long[:0], line...)
	for errors.Is(err, bufio.ErrBufferFull) {
		line, err = x.br.ReadSlice('\n')
		x.long = append(x.long, line...)
	}
	return x.long, err
}

// take files line x.lineNo: it checks the header, keeps the trailer, or adds
// an event line to b, sending b when it is full. It returns the batch to
// fill next.
func (x *exportScan) take(line []byte, b *batch, next func() *batch, send func(*batch) error) (*batch, error) {
	switch {
	case x.lineNo == 1:
		var h exportHeader
		if e := json.Unmarshal(line, &h); e != nil || h.Format != ExportFormat {
			return b, &BreakError{Kind: BreakDecode, Line: 1, Detail: fmt.Sprintf("the first line is not a %s header", ExportFormat)}
		}
	case x.trailer != nil:
		return b, &BreakError{Kind: BreakTrailer, Line: x.lineNo, Leaf: x.leaf, Detail: "lines follow the trailer"}
	case bytes.HasPrefix(line, []byte(`{"end":`)):
		var t exportTrailer
		if e := json.Unmarshal(line, &t); e != nil || t.End == nil {
			return b, &BreakError{Kind: BreakDecode, Line: x.lineNo, Leaf: x.leaf, Detail: "unreadable trailer"}
		}
		x.trailer, x.trailerLine = t.End, x.lineNo
	default:
		start := len(b.arena)
		b.arena = append(b.arena, line...)
		b.lines = append(b.lines, b.arena[start:len(b.arena):len(b.arena)])
		b.lineNo = append(b.lineNo, x.lineNo)
		x.leaf++
		if len(b.lines) == batchSize {
			if err := send(b); err != nil {
				return b, err
			}
			b = next()
			b.reset(x.leaf)
		}
	}
	return b, nil
}

// checkTrailer checks that the export ended with a trailer that agrees
// with the events verified.
func (x *exportScan) checkTrailer(res VerifyResult) error {
	switch t := x.trailer; {
	case t == nil:
		return &BreakError{Kind: BreakTrailer, Leaf: res.Events, Detail: fmt.Sprintf("the export ends after %d events without its trailer line: cut short?", res.Events)}
	case t.Events != res.Events || t.Head != res.Head || t.Root != res.Root:
		return &BreakError{Kind: BreakTrailer, Leaf: res.Events, Line: x.trailerLine,
			Detail: fmt.Sprintf("the trailer says %d events up to position %d with root %s; the file holds %d up to %d with root %s",
				t.Events, t.Head, t.Root, res.Events, res.Head, res.Root)}
	}
	return nil
}

type streamTip struct {
	version uint64
	hash    Hash
}

// verify runs the pipeline: prod fills batches, workers hash them, this
// goroutine checks them in order.
func verify(ctx context.Context, opts VerifyOptions, export bool, prod producer) (VerifyResult, error) {
	var res VerifyResult
	signed, err := checkSignature(opts)
	if err != nil {
		return res, err
	}
	res.SignatureChecked = signed
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := startPipeline(ctx, workerCount(opts.Workers), prod)
	c := &chainCheck{opts: opts, export: export, res: &res, tips: map[string]streamTip{}}
	broken := p.consume(c.batch, cancel)
	perr := p.wait()
	if broken != nil {
		return res, broken
	}
	if perr != nil {
		return res, producerError(perr)
	}
	return res, c.finish()
}

// checkSignature verifies the checkpoint's signature when both a checkpoint
// and a public key are given, and reports whether it did.
func checkSignature(opts VerifyOptions) (bool, error) {
	if opts.Checkpoint == nil || opts.PublicKey == nil {
		return false, nil
	}
	if err := opts.Checkpoint.Verify(opts.PublicKey); err != nil {
		return false, &BreakError{Kind: BreakSignature, Detail: err.Error()}
	}
	return true, nil
}

// workerCount returns the number of hashing workers: n, or GOMAXPROCS when
// n is not positive.
func workerCount(n int) int {
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// producerError returns the error a producer stopped with: a break as it
// is, anything else wrapped.
func producerError(err error) error {
	var be *BreakError
	if errors.As(err, &be) {
		return be
	}
	return fmt.Errorf("verify: %w", err)
}

// pipeline carries batches from a producer through the hashing workers to
// the consumer, in the producer's order, and recycles them through free.
type pipeline struct {
	free, jobs, ordered chan *batch
	workers             sync.WaitGroup
	prodErr             chan error
}

// startPipeline starts the workers and the producer.
func startPipeline(ctx context.Context, workers int, prod producer) *pipeline {
	n := 4*workers + 4
	p := &pipeline{free: make(chan *batch, n), jobs: make(chan *batch, n), ordered: make(chan *batch, n), prodErr: make(chan error, 1)}
	for range n {
		p.free <- &batch{}
	}
	for range workers {
		p.workers.Go(func() {
			for b := range p.jobs {
				b.work()
			}
		})
	}
	go func() {
		defer close(p.ordered)
		defer close(p.jobs)
		p.prodErr <- prod(ctx, func() *batch { return p.next(ctx) }, func(b *batch) error { return p.send(ctx, b) })
	}()
	return p
}

// next returns a free batch to fill, or a new one once ctx is done.
func (p *pipeline) next(ctx context.Context) *batch {
	select {
	case b := <-p.free:
		return b
	case <-ctx.Done():
		return &batch{}
	}
}

// send hands a filled batch to the workers and, in order, to the consumer;
// an empty batch goes back to free.
func (p *pipeline) send(ctx context.Context, b *batch) error {
	if len(b.events) == 0 && len(b.lines) == 0 {
		select {
		case p.free <- b:
		default:
		}
		return nil
	}
	select {
	case p.jobs <- b:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case p.ordered <- b:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// consume checks the hashed batches in order until one breaks the ledger;
// then it cancels the producer and drains the rest. It returns the break.
func (p *pipeline) consume(check func(*batch) error, cancel context.CancelFunc) error {
	var broken error
	for bt := range p.ordered {
		<-bt.done
		if broken == nil {
			if err := check(bt); err != nil {
				broken = err
				cancel()
			}
		}
		select {
		case p.free <- bt:
		default: // a batch made after cancellation
		}
	}
	return broken
}

// wait waits for the workers and returns the producer's error.
func (p *pipeline) wait() error {
	p.workers.Wait()
	return <-p.prodErr
}

// chainCheck checks events in log order — leaf numbers, positions, hashes,
// stream versions and chains — and builds the Merkle tree of those that
// pass.
type chainCheck struct {
	opts   VerifyOptions
	export bool
	res    *VerifyResult
	tree   Builder
	leaf   uint64    // leaf index of the next event
	last   uint64    // position of the last event
	lastAt time.Time // recorded time of the last event
	tips   map[string]streamTip
}

// batch checks a batch's events, then reports its unreadable line, if any.
func (c *chainCheck) batch(bt *batch) error {
	for i := range bt.events {
		if err := c.event(bt, i); err != nil {
			return err
		}
		if err := c.accept(&bt.events[i], bt.leaves[i]); err != nil {
			return err
		}
	}
	if bt.decodeAt >= 0 {
		return &BreakError{Kind: BreakDecode, Leaf: c.leaf, Line: bt.lineNo[bt.decodeAt], Detail: fmt.Sprintf("unreadable event line: %v", bt.decodeEr)}
	}
	return nil
}

// event checks the i-th event of bt against the events before it.
func (c *chainCheck) event(bt *batch, i int) error {
	e := &bt.events[i]
	brk := func(kind BreakKind, format string, args ...any) error {
		be := &BreakError{Kind: kind, Leaf: c.leaf, Position: e.Position, Stream: e.Stream, Version: e.Version, Detail: fmt.Sprintf(format, args...)}
		if c.export {
			be.Line = bt.lineNo[i]
		}
		return be
	}
	if c.export && bt.leafNo[i] != c.leaf {
		return brk(BreakLeaf, "the line holds leaf %d where leaf %d belongs: an event is missing, inserted or moved here", bt.leafNo[i], c.leaf)
	}
	if c.leaf > 0 && e.Position <= c.last {
		return brk(BreakOrder, "position %d follows position %d: events are out of order or repeated", e.Position, c.last)
	}
	if bt.hashes[i] != e.Hash {
		return brk(BreakHash, "the event's content hashes to %s, its stored hash is %s: the event was changed", bt.hashes[i], e.Hash)
	}
	if e.RecordedAt.IsZero() {
		return brk(BreakTime, "the event has no recorded time: the ledger records every event at a time")
	}
	if c.leaf > 0 && e.RecordedAt.Before(c.lastAt) {
		return brk(BreakTime, "recorded at %s, before %s when position %d was recorded: recorded times go backwards along the log",
			e.RecordedAt.UTC().Format(time.RFC3339Nano), c.lastAt.UTC().Format(time.RFC3339Nano), c.last)
	}
	tip := c.tips[e.Stream]
	if e.Version != tip.version+1 {
		return brk(BreakVersion, "version %d follows version %d of the stream: an event of the stream is missing, inserted or moved", e.Version, tip.version)
	}
	if e.PrevHash != tip.hash {
		return brk(BreakChain, "prev_hash %s is not the hash %s of version %d", e.PrevHash, tip.hash, tip.version)
	}
	return nil
}

// accept takes a checked event: it becomes its stream's tip and the next
// leaf of the tree, is shown to the visitor, and completes the checkpoint's
// root when it is the checkpoint's last leaf.
func (c *chainCheck) accept(e *domain.Event, leafHash Hash) error {
	c.tips[e.Stream] = streamTip{version: e.Version, hash: e.Hash}
	c.tree.Append(leafHash)
	if c.opts.Visit != nil {
		if err := c.opts.Visit(c.leaf, leafHash, e); err != nil {
			return fmt.Errorf("visit leaf %d: %w", c.leaf, err)
		}
	}
	c.last, c.lastAt = e.Position, e.RecordedAt
	c.leaf++
	if cp := c.opts.Checkpoint; cp != nil && c.leaf == cp.Size {
		c.res.CheckpointRoot = c.tree.Root()
	}
	return nil
}

// finish fills in the result of a log whose every event checked out, and
// checks the log against the checkpoint: long enough, and the same root at
// its size.
func (c *chainCheck) finish() error {
	res := c.res
	res.Events, res.Streams, res.Head, res.Root = c.leaf, len(c.tips), c.last, c.tree.Root()
	cp := c.opts.Checkpoint
	if cp == nil {
		return nil
	}
	if cp.Size == 0 {
		res.CheckpointRoot = EmptyRoot()
	}
	if c.leaf < cp.Size {
		return &BreakError{Kind: BreakShort, Leaf: c.leaf, Position: c.last,
			Detail: fmt.Sprintf("the log holds %d events, the checkpoint covers %d: it was cut short", c.leaf, cp.Size)}
	}
	if res.CheckpointRoot != cp.Root {
		return &BreakError{Kind: BreakRoot, Leaf: cp.Size - 1,
			Detail: fmt.Sprintf("the first %d events hash to root %s, the checkpoint says %s: history up to the checkpoint was rewritten", cp.Size, res.CheckpointRoot, cp.Root)}
	}
	return nil
}
