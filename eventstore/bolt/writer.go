package bolt

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
	bbolt "go.etcd.io/bbolt"

	"taskledger/domain"
	"taskledger/eventstore"
)

// appendReq is one Append call waiting for the committer.
type appendReq struct {
	ctx      context.Context
	stream   string
	expected eventstore.ExpectedVersion
	events   []domain.Event // the caller's events, copied; sealed in place
	res      chan appendResult
}

type appendResult struct {
	res eventstore.AppendResult
	err error
}

// writerState is the committed state the committer continues from.
type writerState struct {
	head, logLen uint64
	tail         []byte                // the committed partial segment; never modified
	st           deltaState            // after the record at head
	ids          *idIndex              // event ID → position, built by the committer
	dicts        map[uint32]*dictTable // committed payload dictionaries by type ID
	recentEvents int                   // events in Store.recent
	// recorded is the recorded time of the record at head (the zero time
	// for an empty log): the least an appended event can be recorded at.
	recorded time.Time
	// broken, once set, answers every later append: the journal could not
	// be kept consistent with the ledger file (see commitGroup).
	broken error
	// fileHead is the last position the ledger file holds (format 3: as of
	// the last checkpoint); fileNames are the names interned since.
	fileHead  uint64
	fileNames []journalName
	// frameLog and frameBody are the buffers the last group's journal
	// frame was collected and encoded in, emptied for the next group's:
	// grown afresh for each group they were about a quarter of what an
	// append allocated.
	frameLog, frameBody []byte
}

// maxReusedFrame bounds the frame buffers kept for the next group, so that
// one large import's group does not keep its memory for good.
const maxReusedFrame = 1 << 20

// reusable returns b emptied for reuse, or nil when it is larger than
// maxReusedFrame.
func reusable(b []byte) []byte {
	if cap(b) > maxReusedFrame {
		return nil
	}
	return b[:0]
}

// errNothingToCommit rolls back a group in which no append stored anything.
var errNothingToCommit = errors.New("nothing to commit")

// Append implements eventstore.Store. The append is durable (fsynced) when
// Append returns without error. Concurrent appends are committed together,
// each judged in arrival order against the log including the appends before
// it in the same commit. If ctx ends while the append waits, Append returns
// ctx's error and the events may or may not have been stored; retrying with
// the same event IDs is safe.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []domain.Event) (eventstore.AppendResult, error) {
	if err := s.enter(); err != nil {
		return eventstore.AppendResult{}, err
	}
	defer s.exit()
	if s.readOnly {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %s: %w", stream, s.path, ErrReadOnly)
	}
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
	}
	req := &appendReq{
		ctx:      ctx,
		stream:   stream,
		expected: expected,
		events:   append([]domain.Event(nil), events...),
		res:      make(chan appendResult, 1),
	}
	s.mu.Lock()
	s.pending = append(s.pending, req)
	s.mu.Unlock()
	if s.inFlight.Load() <= 1 && s.commitMu.TryLock() {
		// A lone writer, and no group is being committed: commit this one
		// here, saving the hand-over to the committer goroutine and back.
		// With more writers in flight the committer goroutine gathers
		// their appends into full groups (see gatherMore).
		s.commitInline()
	} else {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	select {
	case r := <-req.res:
		return r.res, r.err
	case <-ctx.Done():
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w (the events may still be stored; retrying with the same event IDs is safe)", stream, ctx.Err())
	}
}

// run is the committer goroutine: it loads the event-ID index, then
// commits whatever appends are pending until Close, and checkpoints a
// format 3 ledger when a group has waited in the journal for syncAfter.
// Open holds commitMu until the index is loaded; an Append that finds
// commitMu free commits its group itself (see round), and one that does not
// wakes this goroutine, which takes commitMu for each round in turn.
func (s *Store) run() {
	defer close(s.stopped)
	if err := s.loadWriter(); err != nil {
		s.loadErr = fmt.Errorf("bolt: load event index of %s: %w", s.path, err)
	}
	s.unlockCommit()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-s.wake:
		case <-s.syncTimer.C:
			s.commitMu.Lock()
			s.syncArmed = false
			s.checkpointDue()
			s.unlockCommit()
			continue
		case <-s.stop:
			// Only appends whose callers gave up (their ctx ended) are left.
			for _, r := range s.takePending() {
				r.res <- appendResult{err: eventstore.ErrClosed}
			}
			return
		}
		s.commitMu.Lock()
		s.round(timer)
		s.unlockCommit()
	}
}

// commitInline runs a round as an Append's caller, releasing commitMu even
// if the round panics (a caller may recover, and the store must go on).
func (s *Store) commitInline() {
	defer s.unlockCommit()
	s.round(nil)
}

// round commits the appends pending, as one group, and answers each; the
// caller holds commitMu. timer serves gatherMore (nil: an Append committing
// inline, whose own group is pending, does not hold the group open).
func (s *Store) round(timer *time.Timer) {
	if s.beforeGroup != nil {
		s.beforeGroup()
	}
	reqs := s.takePending()
	if len(reqs) == 0 {
		return
	}
	if err := cmp.Or(s.loadErr, s.w.broken); err != nil {
		for _, r := range reqs {
			r.res <- appendResult{err: err}
		}
		return
	}
	var more func(have int) []*appendReq
	if timer != nil {
		inFlight := int(s.inFlight.Load())
		var deadline time.Time
		more = func(have int) []*appendReq { return s.gatherMore(timer, have, inFlight, &deadline) }
	}
	n := s.commitGroup(reqs, more)
	s.inFlight.Store(int64(n + s.pendingCount()))
	s.armCheckpoint()
}

// gatherMore holds a group open while the committer writes it: it returns
// the appends that arrived since the group was last extended, and when none
// has, waits for one while the group holds fewer appends (have) than the
// last commit saw in flight, for at most groupWait from the first wait.
// With many concurrent writers, those answered by the last commit come
// straight back with their next append, and without the wait the groups
// split into two halves that each pay a full commit; the committer writes
// the ones that came back first while it waits for the others. A lone
// writer never waits, and when writers go away the estimate follows at the
// next commit. An empty result closes the group.
func (s *Store) gatherMore(timer *time.Timer, have, inFlight int, deadline *time.Time) []*appendReq {
	for {
		if reqs := s.takePending(); len(reqs) > 0 || have >= inFlight || s.groupWait <= 0 {
			return reqs
		}
		now := time.Now()
		if deadline.IsZero() {
			*deadline = now.Add(s.groupWait)
		}
		left := deadline.Sub(now)
		if left <= 0 {
			return nil
		}
		timer.Reset(left)
		select {
		case <-s.wake:
			timer.Stop()
		case <-timer.C:
			return nil
		case <-s.stop:
			timer.Stop()
			return nil
		}
	}
}

func (s *Store) pendingCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

func (s *Store) takePending() []*appendReq {
	s.mu.Lock()
	defer s.mu.Unlock()
	reqs := s.pending
	s.pending = nil
	return reqs
}

// loadWriter builds the event-ID index and the delta state after the last
// record, reading only each record's ID where it can.
func (s *Store) loadWriter() error {
	ids, err := s.loadIDs()
	if err != nil {
		return err
	}
	if err := s.loadDelta(); err != nil {
		return err
	}
	s.w.ids = ids
	return nil
}

// loadIDs builds the event-ID index of the log: sorted by fold, or, in the
// rare log where two IDs share a fold, one insert at a time.
func (s *Store) loadIDs() (*idIndex, error) {
	entries := make([]idEntry, 0, s.w.head)
	err := s.scanIDs(func(id uuid.UUID, p uint64) error {
		entries = append(entries, idEntry{fold: fold(id), pos: p})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if ids, ok := sortedIDIndex(entries); ok {
		return ids, nil
	}
	ids := newIDIndex()
	err = s.scanIDs(func(id uuid.UUID, p uint64) error {
		if !ids.insert(id, p) {
			return fmt.Errorf("%w: event ID %s stored twice", errCorrupt, id)
		}
		return nil
	})
	return ids, err
}

// scanIDs calls fn with the ID and position of every record in the log.
func (s *Store) scanIDs(fn func(id uuid.UUID, p uint64) error) error {
	head := s.w.head
	const perTx = checkpointEvery * 32768
	for after := uint64(0); after < head; after += perTx {
		end := min(head, after+perTx)
		err := s.viewTx(func(tx *bbolt.Tx, ov *overlay) error {
			v, err := s.view(tx, ov, true)
			if err != nil {
				return err
			}
			r := newLogReader(v, nil)
			if err := r.seek(after + 1); err != nil {
				return err
			}
			// Every page once, each ID copied: from the file, so that
			// none of it stays mapped (see fileCursor).
			r.readFromFile(tx, s.pages)
			for p := after + 1; p <= end; p++ {
				id, err := r.nextID()
				if err != nil {
					return err
				}
				if err := fn(id, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// loadDelta decodes the last checkpoint group: the delta state after the
// head (when the head does not end its group) and the last recorded time.
func (s *Store) loadDelta() error {
	head := s.w.head
	if head == 0 {
		return nil
	}
	return s.viewTx(func(tx *bbolt.Tx, ov *overlay) error {
		v, err := s.view(tx, ov, false)
		if err != nil {
			return err
		}
		r := newLogReader(v, nil)
		if err := r.seek((head-1)/checkpointEvery*checkpointEvery + 1); err != nil {
			return err
		}
		for r.pos <= head {
			if err := r.next(nil); err != nil {
				return err
			}
		}
		if head%checkpointEvery != 0 {
			s.w.st = r.st
		}
		// The last non-zero recorded time of the group: older ledgers
		// may hold events without one.
		s.w.recorded = unixTime(r.st.recorded, r.st.recorded == 0)
		return nil
	})
}

// commitGroup appends reqs, and the appends more adds while it writes them
// (more may be nil), in one transaction, and answers each; it returns how
// many it answered.
func (s *Store) commitGroup(reqs []*appendReq, more func(have int) []*appendReq) int {
	results := make([]appendResult, len(reqs))
	var w *writer
	journaled := false
	var journalSize int64
	if s.journal != nil {
		journalSize = s.journal.size
	}
	build := func(tx *bbolt.Tx) error {
		w = s.newWriter(tx)
		for i := 0; i < len(reqs); i++ {
			if err := w.applyInto(reqs[i], &results[i]); err != nil {
				return err
			}
			if i == len(reqs)-1 && more != nil {
				// The group's last append is written: take those that
				// arrived meanwhile, or wait for them (see gatherMore).
				added := more(len(reqs))
				reqs = append(reqs, added...)
				results = append(results, make([]appendResult, len(added))...)
			}
		}
		if w.appended == 0 {
			return errNothingToCommit
		}
		if err := w.finish(); err != nil {
			return err
		}
		if s.journal == nil {
			return nil
		}
		// The group is durable once its journal frame is synced; the
		// file gets it at the next checkpoint.
		w.frame.count = uint64(w.events)
		journaled = true
		body := w.frame.encode(s.w.frameBody[:0])
		s.w.frameBody = reusable(body)
		if err := s.journal.write(body); err != nil {
			return err
		}
		if s.afterJournal != nil {
			s.afterJournal()
		}
		return nil
	}
	var err error
	if s.journal != nil {
		// Format 3: the group is written to the journal and kept in the
		// overlay; the file gets it at the next checkpoint. The
		// transaction only reads.
		err = s.viewTx(func(tx *bbolt.Tx, _ *overlay) error { return build(tx) })
	} else {
		err = s.updateTx(build)
	}
	if err != nil && journaled {
		// bbolt did not commit the group: take its frame back, or no later
		// frame would continue the file.
		if uerr := s.journal.undo(journalSize); uerr != nil {
			s.w.broken = fmt.Errorf("bolt: %s: the journal holds a group the file lacks (%w) and could not be cut back: %w; reopen the ledger", s.path, err, uerr)
		}
	}
	if w != nil && w.frame != nil {
		s.w.frameLog = reusable(w.frame.log)
	}
	switch {
	case err == nil:
		s.publish(w)
		if s.journal != nil && s.journal.size >= s.journalLimit && s.ckpt == nil {
			// The journal grew this far since the last checkpoint began:
			// checkpoint now, before the next group (a failure breaks
			// the store). One running will cut the journal when it ends.
			_ = s.checkpointNow()
		}
	case errors.Is(err, errNothingToCommit):
	default:
		err = fmt.Errorf("bolt: commit %d appends to %s: %w", len(reqs), s.path, err)
		for i := range results {
			results[i] = appendResult{err: err}
		}
	}
	for i, r := range reqs {
		r.res <- results[i]
	}
	return len(reqs)
}

// publish makes a committed group visible: the overlay, names, IDs,
// writer state, head. The overlay comes first: a reader that sees the new
// head or the new recent versions must find their records.
func (s *Store) publish(w *writer) {
	if w.work != nil {
		w.work.head, w.work.logLen, w.work.tail = w.v.head, w.v.logLen, w.v.tail
		s.ov.Store(w.work)
		s.w.fileNames = append(s.w.fileNames, w.frame.names...)
	}
	for i, k := range kinds {
		s.names.add(k, w.newNames[i])
	}
	for id, p := range w.newIDs {
		s.w.ids.insert(id, p)
	}
	for tid, t := range w.newDicts {
		s.w.dicts[tid] = t
	}
	s.w.head, s.w.logLen, s.w.tail, s.w.st = w.v.head, w.v.logLen, w.v.tail, w.st
	s.w.recorded = w.recorded
	s.idxMu.Lock()
	if w.flushed {
		s.recent, s.indexed, s.w.recentEvents = map[uint32]*recentStream{}, w.v.head, 0
	} else {
		for sid, g := range w.staged {
			r := s.recent[sid].then(g)
			s.recent[sid] = &r
		}
		s.w.recentEvents += w.events
	}
	s.idxMu.Unlock()
	s.commits.Add(1)
	s.setHead(w.v.head)
}

// fatalError marks an error that aborts the whole commit, not one append.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

func fatal(err error) error { return &fatalError{err: err} }

// writer appends within one transaction.
type writer struct {
	s       *Store
	tx      *bbolt.Tx
	v       logView
	st      deltaState
	streams *bbolt.Bucket
	names   *bbolt.Bucket
	meta    *bbolt.Bucket
	res     *snapshot

	newNames   [len(kinds)][]string
	newNameIDs [len(kinds)]map[string]uint32
	newIDs     map[uuid.UUID]uint64
	newDicts   map[uint32]*dictTable
	body       []byte
	compressed []byte   // a payload compressed whole
	check      []byte   // a coded payload decoded, to compare
	values     []byte   // a payload's packed values
	packedBody []byte   // shape ID and values
	positions  []uint64 // of the append being written
	appended   int
	// staged holds the streams this group appends to, as recentStreams
	// relative to the state before the group; flushed is set when the
	// group also writes the stream index to the bucket.
	staged  map[uint32]*recentStream
	events  int // events this group appends
	flushed bool
	// recorded is the recorded time of the last event written so far.
	recorded time.Time
	// frame collects the group's journal frame (format 3 only, else nil).
	frame *journalFrame
	// work is the overlay this group extends (format 3 only, else nil):
	// its segments and checkpoints go there instead of the file.
	work *overlay
}

func (s *Store) newWriter(tx *bbolt.Tx) *writer {
	w := &writer{
		s:        s,
		tx:       tx,
		st:       s.w.st,
		recorded: s.w.recorded,
		streams:  tx.Bucket(bucketStreams),
		names:    tx.Bucket(bucketNames),
		meta:     tx.Bucket(bucketMeta),
		newIDs:   map[uuid.UUID]uint64{},
		staged:   map[uint32]*recentStream{},
	}
	if s.w.dicts == nil {
		s.w.dicts = map[uint32]*dictTable{}
	}
	w.v = logView{
		log:     tx.Bucket(bucketLog),
		pidx:    tx.Bucket(bucketPidx),
		segSize: s.segSize,
		head:    s.w.head,
		logLen:  s.w.logLen,
		tail:    append(make([]byte, 0, s.segSize), s.w.tail...),
	}
	// Keys of these buckets only ever grow at the end (per kind for names):
	// fill pages completely instead of splitting them in half.
	w.v.log.FillPercent = 1.0
	w.v.pidx.FillPercent = 1.0
	w.names.FillPercent = 1.0
	w.res = s.names.snapshot(w.names)
	if s.journal != nil {
		w.frame = &journalFrame{from: s.w.head, logLen: s.w.logLen, log: s.w.frameLog}
		w.work = s.ov.Load().next()
		w.v.ov = w.work
	}
	for i := range w.newNameIDs {
		w.newNameIDs[i] = map[string]uint32{}
	}
	return w
}

// applyInto applies r unless its caller has given up, and records the
// outcome in res; it returns only an error that aborts the whole commit.
func (w *writer) applyInto(r *appendReq, res *appendResult) error {
	if err := r.ctx.Err(); err != nil {
		res.err = fmt.Errorf("append to %s: %w", r.stream, err)
		return nil
	}
	out, err := w.apply(r)
	var fatal *fatalError
	if errors.As(err, &fatal) {
		return fmt.Errorf("append to %s: %w", r.stream, fatal.err)
	}
	*res = appendResult{res: out, err: err}
	return nil
}

// apply judges and, if it passes, writes one append. Errors that concern
// only this append are returned plain; errors that must abort the commit
// are *fatalError.
func (w *writer) apply(r *appendReq) (eventstore.AppendResult, error) {
	if res, dup, err := w.duplicate(r); dup || err != nil {
		return res, err
	}
	sid, known := w.nameID(kindStream, r.stream)
	var st streamState
	if known {
		var err error
		if st, err = w.streamState(sid); err != nil {
			return eventstore.AppendResult{}, fatal(err)
		}
	}
	if !r.expected.Matches(st.version) {
		return eventstore.AppendResult{}, &eventstore.WrongExpectedVersionError{Stream: r.stream, Expected: r.expected, Actual: st.version}
	}
	for i := range r.events {
		e := &r.events[i]
		for _, t := range []struct {
			name string
			at   time.Time
		}{{"recorded", e.RecordedAt}, {"effective", e.EffectiveAt}} {
			if !t.at.IsZero() && !time.Unix(0, t.at.UnixNano()).Equal(t.at) {
				return eventstore.AppendResult{}, fmt.Errorf("append to %s: event %d: %s time %s is outside the years 1678-2262 that the ledger can hash", r.stream, i, t.name, t.at)
			}
		}
	}
	// The append is accepted: from here on only storage errors can occur.
	var err error
	prev := st
	w.positions = w.positions[:0]
	if !known {
		if sid, err = w.intern(kindStream, r.stream); err != nil {
			return eventstore.AppendResult{}, fatal(err)
		}
	}
	for i := range r.events {
		e := &r.events[i]
		var n ids
		n.stream = sid
		if n.typ, err = w.internType(e.Type, e.Payload); err != nil {
			return eventstore.AppendResult{}, fatal(err)
		}
		if n.actor, err = w.intern(kindActor, e.Actor); err != nil {
			return eventstore.AppendResult{}, fatal(err)
		}
		// Recorded time never decreases along the log: clamp it forward to
		// the previous event's (eventstore.Store.Append).
		e.RecordedAt = eventstore.ClampRecorded(normalizeTime(e.RecordedAt), w.recorded)
		w.recorded = e.RecordedAt
		e.EffectiveAt = normalizeTime(e.EffectiveAt)
		e.Seal(r.stream, st.version+1, st.lastHash)
		e.Position = w.v.head + 1
		if err := w.writeRecord(e, n); err != nil {
			return eventstore.AppendResult{}, fatal(err)
		}
		w.positions = append(w.positions, e.Position)
		st = streamState{version: e.Version, lastPos: e.Position, lastHash: e.Hash}
		w.newIDs[e.ID] = e.Position
	}
	g := w.staged[sid]
	if g == nil {
		g = &recentStream{base: prev}
		w.staged[sid] = g
	}
	g.positions = append(g.positions, w.positions...)
	g.last = st
	w.events += len(w.positions)
	w.appended++
	return eventstore.AppendResult{Events: r.events, StreamVersion: st.version, Position: st.lastPos}, nil
}

// duplicate reports whether r repeats an append already stored (dup), and
// refuses one that repeats stored event IDs in any other way.
func (w *writer) duplicate(r *appendReq) (eventstore.AppendResult, bool, error) {
	var res eventstore.AppendResult
	var positions []uint64 // allocated at the first stored ID
	found := 0
	for i := range r.events {
		p, ok, err := w.lookupID(r.events[i].ID)
		if err != nil {
			return res, false, fatal(err)
		}
		if ok {
			if positions == nil {
				positions = make([]uint64, len(r.events))
			}
			positions[i] = p
			found++
		}
	}
	if found == 0 {
		return res, false, nil
	}
	if found < len(r.events) {
		return res, false, fmt.Errorf("append to %s: %d of %d event IDs are already stored: %w", r.stream, found, len(r.events), eventstore.ErrDuplicateMismatch)
	}
	rd := newLogReader(&w.v, w.res)
	stored := make([]domain.Event, len(positions))
	var arena payloadArena
	for i, p := range positions {
		if err := rd.seek(p); err != nil {
			return res, false, fatal(err)
		}
		e := &stored[i]
		if err := rd.next(e); err != nil {
			return res, false, fatal(err)
		}
		e.Payload = arena.copy(e.Payload)
		if e.Stream != r.stream {
			return res, false, fmt.Errorf("append to %s: event %s is stored in stream %s: %w", r.stream, e.ID, e.Stream, eventstore.ErrDuplicateMismatch)
		}
		if i > 0 && e.Version != stored[i-1].Version+1 {
			return res, false, fmt.Errorf("append to %s: stored events %s and %s are not consecutive in that order: %w", r.stream, stored[i-1].ID, e.ID, eventstore.ErrDuplicateMismatch)
		}
	}
	last := stored[len(stored)-1]
	return eventstore.AppendResult{Events: stored, StreamVersion: last.Version, Position: last.Position, Duplicate: true}, true, nil
}

// lookupID returns the position of a stored event ID, including events
// written earlier in this transaction.
func (w *writer) lookupID(id uuid.UUID) (uint64, bool, error) {
	if p, ok := w.newIDs[id]; ok {
		return p, true, nil
	}
	p, exact, ok := w.s.w.ids.lookup(id)
	if !ok || exact {
		return p, ok, nil
	}
	// Another ID may share the 64-bit key: compare the stored ID.
	rd := newLogReader(&w.v, nil)
	if err := rd.seek(p); err != nil {
		return 0, false, err
	}
	got, err := rd.nextID()
	if err != nil {
		return 0, false, err
	}
	return p, got == id, nil
}

// nameID returns the ID of a string committed or interned in this transaction.
func (w *writer) nameID(kind byte, name string) (uint32, bool) {
	if id, ok := w.s.names.id(kind, name); ok {
		return id, true
	}
	id, ok := w.newNameIDs[kindIndex(kind)][name]
	return id, ok
}

// intern returns the ID of name, adding it to the names bucket if new.
func (w *writer) intern(kind byte, name string) (uint32, error) {
	if id, ok := w.nameID(kind, name); ok {
		return id, nil
	}
	ki := kindIndex(kind)
	next := uint64(w.s.names.count(kind)) + uint64(len(w.newNames[ki]))
	if next > 1<<32-1 {
		return 0, fmt.Errorf("intern %q: too many %c names", name, kind)
	}
	id := uint32(next)
	if err := w.putName(kind, id, name); err != nil {
		return 0, fmt.Errorf("intern %q: %w", name, err)
	}
	w.newNames[ki] = append(w.newNames[ki], name)
	w.newNameIDs[ki][name] = id
	return id, nil
}

// internType returns the ID of an event type; a new type gets payload as
// its dictionary.
func (w *writer) internType(typ string, payload []byte) (uint32, error) {
	if id, ok := w.nameID(kindType, typ); ok {
		return id, nil
	}
	id, err := w.intern(kindType, typ)
	if err != nil {
		return 0, err
	}
	dict := payload[:min(len(payload), maxDict)]
	if err := w.putName(kindDict, id, string(dict)); err != nil {
		return 0, fmt.Errorf("store the payload dictionary of %q: %w", typ, err)
	}
	w.newNames[kindIndex(kindDict)] = append(w.newNames[kindIndex(kindDict)], string(dict))
	if w.newDicts == nil {
		w.newDicts = map[uint32]*dictTable{}
	}
	w.newDicts[id] = newDictTable(string(dict))
	return id, nil
}

// dict returns the dictionary table of type tid.
func (w *writer) dict(tid uint32) (*dictTable, error) {
	if t := w.newDicts[tid]; t != nil {
		return t, nil
	}
	if t := w.s.w.dicts[tid]; t != nil {
		return t, nil
	}
	if tid >= w.s.names.count(kindDict) {
		return nil, fmt.Errorf("%w: no payload dictionary for type %d", errCorrupt, tid)
	}
	d, err := w.res.name(kindDict, tid)
	if err != nil {
		return nil, err
	}
	t := newDictTable(d) // committed, so it can outlive this transaction
	w.s.w.dicts[tid] = t
	return t, nil
}

// writeRecord appends the sealed event e to the log.
func (w *writer) writeRecord(e *domain.Event, n ids) error {
	p := e.Position
	if (p-1)%checkpointEvery == 0 {
		w.st = deltaState{}
		if w.work != nil {
			w.work.ckpts = append(w.work.ckpts, w.v.logLen)
		} else if err := w.v.pidx.Put(u64Key((p-1)/checkpointEvery), binary.AppendUvarint(nil, w.v.logLen)); err != nil {
			return fmt.Errorf("write checkpoint: %w", err)
		}
	}
	payload, form, err := w.storedPayload(e, n.typ)
	if err != nil {
		return err
	}
	w.body = appendBody(w.body[:0], e, n, &w.st, payload, form)
	var hdr [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(hdr[:], uint64(len(w.body)))
	if err := w.appendBytes(hdr[:k]); err != nil {
		return err
	}
	if err := w.appendBytes(w.body); err != nil {
		return err
	}
	if w.frame != nil {
		w.frame.log = append(append(w.frame.log, hdr[:k]...), w.body...)
	}
	w.v.head = p
	return nil
}

// storedPayload returns e's payload as the record stores it: packed in a
// format 4 ledger when it packs, else compressed when that is shorter,
// else as it is. Each coded form is kept only if it decodes to the
// payload.
func (w *writer) storedPayload(e *domain.Event, typ uint32) ([]byte, payloadForm, error) {
	if len(e.Payload) <= minMatch && !w.s.packs {
		return e.Payload, formPlain, nil
	}
	t, err := w.dict(typ)
	if err != nil {
		return nil, formPlain, err
	}
	if w.s.packs {
		out, ok, err := w.pack(e, typ, t)
		if err != nil || ok {
			return out, formPacked, err
		}
	}
	if len(e.Payload) <= minMatch {
		return e.Payload, formPlain, nil
	}
	w.compressed = t.compress(w.compressed[:0], e.Payload)
	if len(w.compressed) < len(e.Payload) {
		var err error
		w.check, err = decompress(w.check[:0], w.compressed, t.dict)
		if err == nil && string(w.check) == string(e.Payload) {
			return w.compressed, formCompressed, nil
		}
	}
	return e.Payload, formPlain, nil
}

// putName stores an interned string, and notes it in the journal frame;
// format 3 leaves it to the checkpoint and lets this group's reads resolve
// it.
func (w *writer) putName(kind byte, id uint32, name string) error {
	if w.work != nil {
		w.res.remember(kind, id, name)
	} else if err := w.names.Put(nameKey(kind, id), []byte(name)); err != nil {
		return err
	}
	if w.frame != nil {
		w.frame.names = append(w.frame.names, journalName{kind: kind, id: id, value: name})
	}
	return nil
}

// appendBytes adds b to the log, storing each segment as it fills.
func (w *writer) appendBytes(b []byte) error {
	seg := w.v.segSize
	for len(b) > 0 {
		n := min(seg-uint64(len(w.v.tail)), uint64(len(b)))
		w.v.tail = append(w.v.tail, b[:n]...)
		b = b[n:]
		w.v.logLen += n
		if uint64(len(w.v.tail)) == seg {
			// bbolt keeps the value until commit, and readers keep
			// published overlays: start a new buffer.
			if w.work != nil {
				w.work.segs = append(w.work.segs, w.v.tail)
			} else if err := w.v.log.Put(u64Key(w.v.logLen/seg-1), w.v.tail); err != nil {
				return fmt.Errorf("write log segment: %w", err)
			}
			w.v.tail = make([]byte, 0, seg)
		}
	}
	return nil
}

// streamState returns a stream's state as this group has left it so far.
func (w *writer) streamState(sid uint32) (streamState, error) {
	if g := w.staged[sid]; g != nil {
		return g.last, nil
	}
	if r := w.s.recent[sid]; r != nil {
		return r.last, nil
	}
	st, _, err := getStreamState(w.streams, sid)
	return st, err
}

// flushIndex writes every stream's recent and staged versions to the
// streams bucket and records that the bucket is complete up to the head.
func (w *writer) flushIndex() error {
	recent := w.s.recent
	if len(w.staged) > 0 {
		// then leaves s.recent as it is (it appends past its length only),
		// so a failed commit loses nothing.
		recent = maps.Clone(recent)
		for sid, g := range w.staged {
			r := recent[sid].then(g)
			recent[sid] = &r
		}
	}
	if err := flushRecent(w.streams, w.meta, recent, w.v.head); err != nil {
		return err
	}
	w.flushed = true
	return nil
}

// flushRecent writes each stream's recent versions to the streams bucket
// and records in meta that the bucket is complete up to position head.
func flushRecent(streams, meta *bbolt.Bucket, recent map[uint32]*recentStream, head uint64) error {
	sids := slices.Sorted(maps.Keys(recent))
	for _, sid := range sids {
		all := recent[sid]
		if err := appendChunks(streams, sid, all.base, all.positions); err != nil {
			return fmt.Errorf("write stream index: %w", err)
		}
		if err := streams.Put(stateKey(sid), all.last.encode()); err != nil {
			return fmt.Errorf("write stream index: %w", err)
		}
	}
	if err := meta.Put(keyIndexed, binary.AppendUvarint(nil, head)); err != nil {
		return fmt.Errorf("write stream index: %w", err)
	}
	return nil
}

// finish writes the stream index when it is due (see indexEvery), then the
// tail segment and the log state.
func (w *writer) finish() error {
	if w.work != nil {
		return nil // format 3: the checkpoint writes the file
	}
	if w.s.w.recentEvents+w.events >= w.s.indexEvery {
		if err := w.flushIndex(); err != nil {
			return err
		}
	}
	return putLogState(w.meta, w.v.head, w.v.logLen, w.v.tail)
}
