package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"

	json "github.com/goccy/go-json"

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
	var trailer *exportEnd
	var trailerLine int
	res, err := verify(ctx, opts, true, func(ctx context.Context, next func() *batch, send func(*batch) error) error {
		br := bufio.NewReaderSize(r, 1<<20)
		lineNo := 0
		var leaf uint64
		b := next()
		b.reset(0)
		var long []byte
		for {
			line, err := br.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				long = append(long[:0], line...)
				for errors.Is(err, bufio.ErrBufferFull) {
					line, err = br.ReadSlice('\n')
					long = append(long, line...)
				}
				line = long
			}
			if len(line) > 0 {
				lineNo++
				line = bytes.TrimRight(line, "\r\n")
				switch {
				case lineNo == 1:
					var h exportHeader
					if e := json.Unmarshal(line, &h); e != nil || h.Format != ExportFormat {
						return &BreakError{Kind: BreakDecode, Line: 1, Detail: fmt.Sprintf("the first line is not a %s header", ExportFormat)}
					}
				case trailer != nil:
					return &BreakError{Kind: BreakTrailer, Line: lineNo, Leaf: leaf, Detail: "lines follow the trailer"}
				case bytes.HasPrefix(line, []byte(`{"end":`)):
					var t exportTrailer
					if e := json.Unmarshal(line, &t); e != nil || t.End == nil {
						return &BreakError{Kind: BreakDecode, Line: lineNo, Leaf: leaf, Detail: "unreadable trailer"}
					}
					trailer, trailerLine = t.End, lineNo
				default:
					start := len(b.arena)
					b.arena = append(b.arena, line...)
					b.lines = append(b.lines, b.arena[start:len(b.arena):len(b.arena)])
					b.lineNo = append(b.lineNo, lineNo)
					leaf++
					if len(b.lines) == batchSize {
						if err := send(b); err != nil {
							return err
						}
						b = next()
						b.reset(leaf)
					}
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("read export line %d: %w", lineNo+1, err)
			}
		}
		if lineNo == 0 {
			return &BreakError{Kind: BreakDecode, Line: 1, Detail: "the export is empty"}
		}
		return send(b)
	})
	if err != nil {
		return res, err
	}
	switch {
	case trailer == nil:
		return res, &BreakError{Kind: BreakTrailer, Leaf: res.Events, Detail: fmt.Sprintf("the export ends after %d events without its trailer line: cut short?", res.Events)}
	case trailer.Events != res.Events || trailer.Head != res.Head || trailer.Root != res.Root:
		return res, &BreakError{Kind: BreakTrailer, Leaf: res.Events, Line: trailerLine,
			Detail: fmt.Sprintf("the trailer says %d events up to position %d with root %s; the file holds %d up to %d with root %s",
				trailer.Events, trailer.Head, trailer.Root, res.Events, res.Head, res.Root)}
	}
	return res, nil
}

type streamTip struct {
	version uint64
	hash    Hash
}

// verify runs the pipeline: prod fills batches, workers hash them, this
// goroutine checks them in order.
func verify(ctx context.Context, opts VerifyOptions, export bool, prod producer) (VerifyResult, error) {
	var res VerifyResult
	cp := opts.Checkpoint
	if cp != nil && opts.PublicKey != nil {
		if err := cp.Verify(opts.PublicKey); err != nil {
			return res, &BreakError{Kind: BreakSignature, Detail: err.Error()}
		}
		res.SignatureChecked = true
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	free := make(chan *batch, 4*workers+4)
	for range cap(free) {
		free <- &batch{}
	}
	jobs := make(chan *batch, cap(free))
	ordered := make(chan *batch, cap(free))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				b.work()
			}
		}()
	}
	prodErr := make(chan error, 1)
	go func() {
		defer close(ordered)
		defer close(jobs)
		next := func() *batch {
			select {
			case b := <-free:
				return b
			case <-ctx.Done():
				return &batch{}
			}
		}
		send := func(b *batch) error {
			if len(b.events) == 0 && len(b.lines) == 0 {
				select {
				case free <- b:
				default:
				}
				return nil
			}
			select {
			case jobs <- b:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case ordered <- b:
			case <-ctx.Done():
				return ctx.Err()
			}
			return nil
		}
		prodErr <- prod(ctx, next, send)
	}()

	var (
		b      Builder
		leaf   uint64
		last   uint64
		lastAt time.Time // recorded time of the event at last
		tips   = map[string]streamTip{}
		broken error
	)
	check := func(bt *batch) error {
		for i := range bt.events {
			e := &bt.events[i]
			brk := func(kind BreakKind, format string, args ...any) error {
				be := &BreakError{Kind: kind, Leaf: leaf, Position: e.Position, Stream: e.Stream, Version: e.Version, Detail: fmt.Sprintf(format, args...)}
				if export {
					be.Line = bt.lineNo[i]
				}
				return be
			}
			if export && bt.leafNo[i] != leaf {
				return brk(BreakLeaf, "the line holds leaf %d where leaf %d belongs: an event is missing, inserted or moved here", bt.leafNo[i], leaf)
			}
			if leaf > 0 && e.Position <= last {
				return brk(BreakOrder, "position %d follows position %d: events are out of order or repeated", e.Position, last)
			}
			if bt.hashes[i] != e.Hash {
				return brk(BreakHash, "the event's content hashes to %s, its stored hash is %s: the event was changed", bt.hashes[i], e.Hash)
			}
			if e.RecordedAt.IsZero() {
				return brk(BreakTime, "the event has no recorded time: the ledger records every event at a time")
			}
			if leaf > 0 && e.RecordedAt.Before(lastAt) {
				return brk(BreakTime, "recorded at %s, before %s when position %d was recorded: recorded times go backwards along the log",
					e.RecordedAt.UTC().Format(time.RFC3339Nano), lastAt.UTC().Format(time.RFC3339Nano), last)
			}
			tip := tips[e.Stream]
			if e.Version != tip.version+1 {
				return brk(BreakVersion, "version %d follows version %d of the stream: an event of the stream is missing, inserted or moved", e.Version, tip.version)
			}
			if e.PrevHash != tip.hash {
				return brk(BreakChain, "prev_hash %s is not the hash %s of version %d", e.PrevHash, tip.hash, tip.version)
			}
			tips[e.Stream] = streamTip{version: e.Version, hash: e.Hash}
			b.Append(bt.leaves[i])
			if opts.Visit != nil {
				if err := opts.Visit(leaf, bt.leaves[i], e); err != nil {
					return fmt.Errorf("visit leaf %d: %w", leaf, err)
				}
			}
			last, lastAt = e.Position, e.RecordedAt
			leaf++
			if cp != nil && leaf == cp.Size {
				res.CheckpointRoot = b.Root()
			}
		}
		if bt.decodeAt >= 0 {
			return &BreakError{Kind: BreakDecode, Leaf: leaf, Line: bt.lineNo[bt.decodeAt], Detail: fmt.Sprintf("unreadable event line: %v", bt.decodeEr)}
		}
		return nil
	}
	for bt := range ordered {
		<-bt.done
		if broken == nil {
			if err := check(bt); err != nil {
				broken = err
				cancel()
			}
		}
		select {
		case free <- bt:
		default: // a batch made after cancellation
		}
	}
	wg.Wait()
	perr := <-prodErr
	if broken != nil {
		return res, broken
	}
	if perr != nil {
		var be *BreakError
		if errors.As(perr, &be) {
			return res, be
		}
		return res, fmt.Errorf("verify: %w", perr)
	}
	res.Events, res.Streams, res.Head, res.Root = leaf, len(tips), last, b.Root()
	if cp != nil {
		if cp.Size == 0 {
			res.CheckpointRoot = EmptyRoot()
		}
		if leaf < cp.Size {
			return res, &BreakError{Kind: BreakShort, Leaf: leaf, Position: last,
				Detail: fmt.Sprintf("the log holds %d events, the checkpoint covers %d: it was cut short", leaf, cp.Size)}
		}
		if res.CheckpointRoot != cp.Root {
			return res, &BreakError{Kind: BreakRoot, Leaf: cp.Size - 1,
				Detail: fmt.Sprintf("the first %d events hash to root %s, the checkpoint says %s: history up to the checkpoint was rewritten", cp.Size, res.CheckpointRoot, cp.Root)}
		}
	}
	return res, nil
}
