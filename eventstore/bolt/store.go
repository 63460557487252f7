package bolt

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"taskledger/domain"
	"taskledger/eventstore"
)

// FileName is the name of the ledger file OpenDir uses inside its directory.
const FileName = "ledger.db"

// DefaultTimeout is how long Open waits for another process to release the
// file when Options.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// formatV2 identifies the file layout described in the package comment.
// Format 1 files are the same except that their streams bucket is always
// complete (they have no "indexed" key); opening one upgrades it to format
// 2, which older binaries refuse rather than read a lagging index.
//
// Format 3 is format 2 with a journal beside the file (see the package
// documentation): each group commit is made durable by one synced journal
// frame, and bbolt writes the file only at checkpoints.
//
// Format 4 is format 3 with packed payloads (payload.go): records may
// hold a payload as a shape and its values, and the names bucket holds the
// shapes. New ledgers are format 4 unless Options.NoJournal (format 2);
// every format keeps opening as it is and is written as it is.
const (
	formatV1 = "taskledger-bolt/1"
	formatV2 = "taskledger-bolt/2"
	formatV3 = "taskledger-bolt/3"
	formatV4 = "taskledger-bolt/4"
)

// Bucket names and meta keys.
var (
	bucketMeta    = []byte("meta")
	bucketLog     = []byte("log")
	bucketPidx    = []byte("pidx")
	bucketNames   = []byte("names")
	bucketStreams = []byte("streams")

	keyFormat  = []byte("format")
	keySegSize = []byte("segsize")
	keyState   = []byte("state")
	keyTail    = []byte("tail")
	keyIndexed = []byte("indexed")
)

// minRecord is the fewest bytes a record takes in the log: a length byte,
// a flags byte, the event ID, four one-byte uvarints, the actor ID and the
// hash.
const minRecord = 1 + 1 + 16 + 4 + 1 + 32

// scanTxEvents bounds how many events one read transaction decodes: long
// read transactions keep bbolt from reusing pages and from growing its
// memory map, so big reads are cut into several.
const scanTxEvents = 16384

// Options configures Open.
type Options struct {
	// Timeout is how long Open waits for another process holding the file
	// to let go of it: zero means DefaultTimeout, negative waits forever.
	Timeout time.Duration
	// NoSync skips fsync on commit. UNSAFE: an acknowledged append can be
	// lost, or the file corrupted, when the machine (not only the process)
	// stops. For tests and benchmarks only, never for a real ledger.
	NoSync bool
	// InitialMmapSize is the initial size in bytes of bbolt's memory map.
	// A map larger than the file lets long reads run without blocking the
	// writer when the file grows; zero lets bbolt choose.
	InitialMmapSize int
	// MustExist refuses to open a path where no file exists (the error
	// wraps fs.ErrNotExist) instead of creating a new ledger there: for
	// callers that mean an existing ledger.
	MustExist bool
	// ReadOnly opens the file with bbolt's ReadOnly mode, for verify-like
	// callers: a shared lock (other readers may open it too, a writer may
	// not), nothing ever written — a format 1 file is read as it is, not
	// upgraded — and Append returns ErrReadOnly. It implies MustExist.
	ReadOnly bool
	// GroupWait is how long the committer may hold a group open for more
	// appends, writing those already in it meanwhile, while it holds fewer
	// than the last commit saw in flight (callers just answered usually
	// come straight back with their next append, and one commit for all of
	// them costs the same sync as one for a few): zero means
	// DefaultGroupWait, negative never waits. A lone writer never waits.
	GroupWait time.Duration
	// NoJournal creates a new ledger in format 2, where bbolt syncs every
	// commit itself (two fsyncs per group commit) and no journal is kept
	// beside the file. Without it a new ledger is format 4: each group
	// commit is made durable by one fdatasync of the journal, the file is
	// written only at checkpoints, and payloads are packed (see the
	// package documentation). It
	// does not change an existing ledger, which opens in the format it has.
	NoJournal bool

	// segmentSize overrides the segment size of a new file (tests only).
	segmentSize uint64
	// unpacked makes a new journaled file format 3, without packed
	// payloads (tests only: format 3 ledgers made before format 4).
	unpacked bool
	// indexEvery overrides indexEvery (tests only).
	indexEvery int
	// bootID overrides the machine's boot ID (tests only).
	bootID string
	// journalLimit overrides journalLimit (tests only).
	journalLimit int64
	// journalSyncAfter overrides journalSyncAfter (tests only).
	journalSyncAfter time.Duration
}

// DefaultGroupWait is the longest the committer holds a group open for
// appends that are on their way (see Options.GroupWait): about what one
// commit of a full group takes, so that waiting costs less than the extra
// commit it saves.
const DefaultGroupWait = 500 * time.Microsecond

// Store is the embedded event store: one bbolt file. It implements
// eventstore.Store and is safe for concurrent use. Appends are grouped into
// commits by one committer goroutine; see the package documentation.
type Store struct {
	db *bbolt.DB
	// pages is the ledger file opened a second time, for reading: full
	// scans read the log's pages from it (see fileCursor). Nil if it could
	// not be opened; scans then read through bbolt's map.
	pages    pageFile
	path     string
	readOnly bool
	noSync   bool
	segSize  uint64
	// journal is a format 3 ledger's journal, nil for other formats and
	// read-only stores; only the committer writes to it.
	journal *journal
	// ov is what a format 3 ledger's log holds beyond its file since the
	// last checkpoint (nil without a journal); the committer publishes a
	// new one after each group and each checkpoint.
	ov        atomic.Pointer[overlay]
	journaled bool   // the file is format 3 or 4
	packs     bool   // the file is format 4: payloads are stored packed
	format    string // the file's format as opened
	// bootID identifies the machine's current boot (see journalMagic).
	bootID string
	// journalLimit is the journal size that makes a checkpoint, syncAfter
	// the time after a group that does.
	journalLimit int64
	syncAfter    time.Duration
	names        *nameTable

	// mu guards closed and pending; Close sets closed, then waits for
	// inflight calls, then stops the committer.
	mu        sync.Mutex
	closed    bool
	pending   []*appendReq
	inflight  sync.WaitGroup
	done      chan struct{} // closed when Close begins
	wake      chan struct{} // cap 1: pending is not empty
	groupWait time.Duration // see Options.GroupWait; 0: never wait
	stop      chan struct{} // closed to stop the committer
	stopped   chan struct{} // closed when the committer has returned
	closeOnce sync.Once
	closeErr  error

	// head is the last committed position; headCh is closed and replaced on
	// every commit that moves it.
	head   atomic.Uint64
	headMu sync.Mutex
	headCh chan struct{}

	// The stream index beyond the streams bucket (see indexEvery): indexed
	// is the position the bucket is complete up to, recent what the log
	// holds of streams after it. The committer changes both under idxMu
	// (and reads them without it); readers take idxMu.RLock.
	idxMu   sync.RWMutex
	indexed uint64
	recent  map[uint32]*recentStream
	// indexEvery is the lag that makes a commit write the index.
	indexEvery int

	// commitMu is held by whoever commits a group: the committer goroutine
	// or an Append committing inline (see round); it guards what follows.
	commitMu sync.Mutex
	// loadErr is why the event-ID index could not be loaded; it answers
	// every append.
	loadErr error
	// syncTimer fires syncAfter after the first group the journal holds
	// since the last checkpoint; syncArmed says it is running.
	syncTimer *time.Timer
	syncArmed bool
	// ckpt is the checkpoint running in the background, if any.
	ckpt *checkpointJob

	// Committer-owned state (only the holder of commitMu touches these).
	w writerState
	// inFlight is how many appends the last commit saw at once: its group
	// and those that arrived while it committed.
	inFlight atomic.Int64
	commits  atomic.Uint64 // commits that appended something, for tests

	// beforeGroup, when set (by tests), runs in the committer before it
	// takes the pending appends.
	beforeGroup func()
	// beforeCheckpointWrite, when set (by tests), runs before a
	// checkpoint writes the file.
	beforeCheckpointWrite func()
	// afterJournal, when set (by tests), runs in the committer after a
	// group's journal frame is synced and before bbolt commits it.
	afterJournal func()
	// beforeView, when set (by tests), runs in viewTx between taking the
	// overlay and beginning the transaction.
	beforeView atomic.Pointer[func()]
}

var _ eventstore.Store = (*Store)(nil)

// OpenDir opens or creates the ledger in directory dir (created if needed)
// as the file dir/ledger.db. With opts.MustExist or opts.ReadOnly it
// creates neither the directory nor the file.
func OpenDir(dir string, opts Options) (*Store, error) {
	if !opts.MustExist && !opts.ReadOnly {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("bolt: open ledger directory: %w", err)
		}
	}
	return Open(filepath.Join(dir, FileName), opts)
}

// Open opens the ledger file at path. Where no file exists it creates a new
// ledger (mode 0600; its directory must exist), unless opts.MustExist or
// opts.ReadOnly is set. A new ledger is made complete in a temporary file
// beside it and then linked into place, so a file at path is always a whole
// ledger or not ours.
//
// Before bbolt maps an existing file, Open checks it: an empty, truncated or
// foreign file, or one whose pages do not hold together, is refused with a
// *DamagedError naming the file and what is wrong (it matches
// eventstore.ErrDamaged, and ErrNotLedger when the file is foreign) and is
// left byte for byte as it was; a file in a later format of this store,
// written by a newer taskledger, is refused and left as it was with a
// *NewerFormatError. Another process holding the file makes
// Open fail after opts.Timeout. Open returns once the file is checked and
// readable; the committer then reads every record's ID to rebuild the
// event-ID index, and the first appends wait for that.
func Open(path string, opts Options) (*Store, error) {
	timeout := opts.Timeout
	switch {
	case timeout == 0:
		timeout = DefaultTimeout
	case timeout < 0:
		timeout = 0 // bbolt waits forever
	}
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		if opts.MustExist || opts.ReadOnly {
			return nil, fmt.Errorf("bolt: open %s: no ledger file there: %w", path, err)
		}
		if err := createLedger(path, timeout, opts); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	if _, err := inspect(path, timeout); err != nil {
		return nil, err
	}
	db, err := openBolt(path, &bbolt.Options{
		Timeout:         timeout,
		NoFreelistSync:  true,
		FreelistType:    bbolt.FreelistMapType,
		NoSync:          opts.NoSync,
		InitialMmapSize: opts.InitialMmapSize,
		ReadOnly:        opts.ReadOnly,
		// The freelist is rebuilt by reading every page; done here,
		// Open then lets those pages go (see releaseMap).
		PreLoadFreelist: !opts.ReadOnly,
	})
	if err != nil {
		return nil, err
	}
	db.AllocSize = growStep
	s := &Store{
		db:       db,
		pages:    openPages(path),
		path:     path,
		readOnly: opts.ReadOnly,
		noSync:   opts.NoSync,
		bootID:   cmp.Or(opts.bootID, readBootID()),

		journalLimit: cmp.Or(opts.journalLimit, journalLimit),
		syncAfter:    cmp.Or(opts.journalSyncAfter, journalSyncAfter),
		names:        newNameTable(),
		done:         make(chan struct{}),
		wake:         make(chan struct{}, 1),
		stop:         make(chan struct{}),
		stopped:      make(chan struct{}),
		headCh:       make(chan struct{}),
		recent:       map[uint32]*recentStream{},

		indexEvery: indexEvery,
	}
	if opts.indexEvery > 0 {
		s.indexEvery = opts.indexEvery
	}
	switch {
	case opts.GroupWait == 0:
		s.groupWait = DefaultGroupWait
	case opts.GroupWait > 0:
		s.groupWait = opts.GroupWait
	}
	err = s.recoverJournal()
	if err == nil {
		err = s.init()
	}
	if err == nil {
		err = s.openJournal()
	}
	if err == nil && !opts.ReadOnly {
		err = s.viewTx(func(tx *bbolt.Tx, _ *overlay) error { releaseMap(tx); return nil })
	}
	if err != nil {
		_ = db.Close()
		s.closePages()
		var de *DamagedError
		var nf *NewerFormatError
		if errors.As(err, &de) || errors.As(err, &nf) {
			return nil, err
		}
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	if s.readOnly {
		close(s.stopped) // no committer
	} else {
		s.syncTimer = time.NewTimer(time.Hour)
		s.syncTimer.Stop()
		s.commitMu.Lock() // run unlocks it once the event-ID index is loaded
		go s.run()
	}
	return s, nil
}

// newerFormat reports whether format names a later version of this
// store's file format than the newest this build writes: a file a later
// taskledger made, not a foreign one.
func newerFormat(format string) bool {
	v, ok := formatVersion(format)
	newest, _ := formatVersion(formatV4)
	return ok && v > newest
}

// formatVersion returns the version a format of this store names
// ("taskledger-bolt/N").
func formatVersion(format string) (int, bool) {
	n, ok := strings.CutPrefix(format, "taskledger-bolt/")
	if !ok || n == "" || strings.TrimLeft(n, "0123456789") != "" {
		return 0, false
	}
	v, err := strconv.Atoi(n)
	return v, err == nil
}

// growStep is how much the file grows at a time once it is past bbolt's
// first doublings. bbolt's default, 16 MiB, left a young ledger up to 16 MiB
// of zeros larger than its data (a 120,000-event ledger of 21 MB measured 21
// or 34 MB depending on where the last step fell); a step costs bbolt one
// truncate and one sync, which at 1 MiB is once per several thousand events.
const growStep = 1 << 20

// openBolt opens the bbolt database at path, turning a panic or a memory
// fault inside bbolt into a *DamagedError.
func openBolt(path string, o *bbolt.Options) (db *bbolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, &DamagedError{Path: path, Problem: fmt.Sprintf("bbolt failed opening it: %v", r)}
		}
	}()
	db, err = bbolt.Open(path, 0o600, o)
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	return db, nil
}

// createLedger makes a new, empty ledger at path: complete and synced in a
// temporary file in the same directory first, then hard-linked into place
// (which fails rather than replace a file another process made meanwhile;
// that file is then opened instead).
func createLedger(path string, timeout time.Duration, opts Options) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".new-*")
	if err != nil {
		return fmt.Errorf("bolt: create %s: %w", path, err)
	}
	tmpPath := tmp.Name()
	_ = tmp.Close()
	defer os.Remove(tmpPath)
	db, err := bbolt.Open(tmpPath, 0o600, &bbolt.Options{
		Timeout:        timeout,
		NoFreelistSync: true,
		FreelistType:   bbolt.FreelistMapType,
		NoSync:         opts.NoSync,
	})
	if err != nil {
		return fmt.Errorf("bolt: create %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error { return create(tx, opts) })
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("bolt: create %s: %w", path, err)
	}
	if err := os.Link(tmpPath, path); err != nil && !errors.Is(err, fs.ErrExist) {
		// No hard links here: rename (which could replace a file made in
		// the last moments; the existence check just before makes that a
		// narrow race between two creators of the same new ledger).
		if rerr := os.Rename(tmpPath, path); rerr != nil {
			return fmt.Errorf("bolt: create %s: %w", path, rerr)
		}
	}
	if !opts.NoSync {
		if d, err := os.Open(filepath.Dir(path)); err == nil {
			_ = d.Sync()
			_ = d.Close()
		}
	}
	return nil
}

// init checks the file and loads the names and the log's state; a format 1
// file is upgraded to format 2 unless the store is read-only.
func (s *Store) init() error {
	var upgrade bool
	err := s.viewTx(func(tx *bbolt.Tx, ov *overlay) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return &DamagedError{Path: s.path, Foreign: true, Problem: "a bbolt database without the ledger's meta bucket"}
		}
		format := string(meta.Get(keyFormat))
		if format != formatV1 && format != formatV2 && format != formatV3 && format != formatV4 {
			if newerFormat(format) {
				return &NewerFormatError{Path: s.path, Format: format}
			}
			return &DamagedError{Path: s.path, Foreign: true, Problem: fmt.Sprintf("format %q, want one of %q to %q", format, formatV1, formatV4)}
		}
		s.journaled, s.packs, s.format = format == formatV3 || format == formatV4, format == formatV4, format
		upgrade = format == formatV1
		for _, name := range [][]byte{bucketLog, bucketPidx, bucketNames, bucketStreams} {
			if tx.Bucket(name) == nil {
				return fmt.Errorf("%w: bucket %s missing", errCorrupt, name)
			}
		}
		seg, n := binary.Uvarint(meta.Get(keySegSize))
		if n <= 0 || seg < 16 {
			return fmt.Errorf("%w: segment size", errCorrupt)
		}
		s.segSize = seg
		v, err := s.view(tx, ov, false)
		if err != nil {
			return err
		}
		if k, _ := v.log.Cursor().Last(); (k == nil) != (v.logLen < seg) ||
			(k != nil && binary.BigEndian.Uint64(k) != v.logLen/seg-1) {
			return fmt.Errorf("%w: log length %d does not match the stored segments", errCorrupt, v.logLen)
		}
		// Every record takes at least minRecord bytes: a head beyond what
		// the log can hold is damage (and would size allocations).
		if v.head > v.logLen/minRecord {
			return fmt.Errorf("%w: head position %d in a log of %d bytes", errCorrupt, v.head, v.logLen)
		}
		if v.head > 0 {
			if _, err := v.checkpoint((v.head - 1) / checkpointEvery); err != nil {
				return err
			}
		}
		if err := s.names.load(tx.Bucket(bucketNames)); err != nil {
			return fmt.Errorf("load names: %w", err)
		}
		s.head.Store(v.head)
		s.w.head, s.w.logLen = v.head, v.logLen
		s.w.tail = append(make([]byte, 0, seg), v.tail...)
		s.indexed = v.head // format 1: the streams bucket is complete
		if !upgrade {
			p, n := binary.Uvarint(meta.Get(keyIndexed))
			if n <= 0 || p > v.head {
				return fmt.Errorf("%w: indexed position", errCorrupt)
			}
			s.indexed = p
		}
		return s.loadRecent(tx, v)
	})
	if err != nil || !upgrade || s.readOnly {
		return err
	}
	return s.updateTx(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if err := meta.Put(keyIndexed, binary.AppendUvarint(nil, s.indexed)); err != nil {
			return fmt.Errorf("upgrade to %s: %w", formatV2, err)
		}
		if err := meta.Put(keyFormat, []byte(formatV2)); err != nil {
			return fmt.Errorf("upgrade to %s: %w", formatV2, err)
		}
		return nil
	})
}

// viewTx runs fn in a read transaction, with the overlay (nil but for a
// format 3 ledger open for writing) as it stood once the transaction had
// begun, whose base was already published before it began. Then the file
// as the transaction sees it holds everything below the overlay's base (a
// checkpoint publishes a new base only after its commit), and nothing
// beyond the overlay's head: a checkpoint that committed before the
// transaction began wrote groups published before. An overlay taken
// before the transaction instead could be behind a checkpoint committed in
// between, whose stream index then named positions past the overlay's
// head. When a checkpoint moves the base while the transaction begins, fn
// runs in a new one. A panic or a memory fault while bbolt reads a damaged
// page becomes a *DamagedError instead of ending the process.
func (s *Store) viewTx(fn func(tx *bbolt.Tx, ov *overlay) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.recoverDamage(&err)
	for {
		before, moved := s.ov.Load(), false
		if s.beforeView.Load() != nil { // a test's, once
			if hook := s.beforeView.Swap(nil); hook != nil {
				(*hook)()
			}
		}
		err = s.db.View(func(tx *bbolt.Tx) error {
			ov := s.ov.Load()
			if moved = !ov.sameBase(before); moved {
				return nil
			}
			return fn(tx, ov)
		})
		if !moved {
			return err
		}
	}
}

// updateTx runs fn in a read-write transaction, as viewTx does; bbolt rolls
// the transaction back when fn panics.
func (s *Store) updateTx(fn func(*bbolt.Tx) error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer s.recoverDamage(&err)
	return s.db.Update(fn)
}

// recoverDamage, deferred, turns a panic into a *DamagedError in *err.
func (s *Store) recoverDamage(err *error) {
	if r := recover(); r != nil {
		*err = &DamagedError{Path: s.path, Problem: fmt.Sprintf("bbolt failed reading it: %v", r)}
	}
}

// loadRecent reads the records after the position the streams bucket is
// complete up to, and rebuilds from them what Store.recent holds.
func (s *Store) loadRecent(tx *bbolt.Tx, v *logView) error {
	if s.indexed >= v.head {
		return nil
	}
	streams := tx.Bucket(bucketStreams)
	r := newLogReader(v, s.names.snapshot(tx.Bucket(bucketNames)))
	if err := r.seek(s.indexed + 1); err != nil {
		return fmt.Errorf("read the log after the stream index: %w", err)
	}
	var e domain.Event
	for p := s.indexed + 1; p <= v.head; p++ {
		if err := r.next(&e); err != nil {
			return fmt.Errorf("read the log after the stream index: %w", err)
		}
		sid, ok := s.names.id(kindStream, e.Stream)
		if !ok {
			return fmt.Errorf("%w: stream of the record at %d has no name", errCorrupt, p)
		}
		rs := s.recent[sid]
		if rs == nil {
			base, _, err := getStreamState(streams, sid)
			if err != nil {
				return err
			}
			rs = &recentStream{base: base, last: base}
			s.recent[sid] = rs
		}
		if e.Version != rs.last.version+1 {
			return fmt.Errorf("%w: record at %d is version %d of stream %d, after version %d", errCorrupt, p, e.Version, sid, rs.last.version)
		}
		rs.positions = append(rs.positions, p)
		rs.last = streamState{version: e.Version, lastPos: p, lastHash: e.Hash}
		s.w.recentEvents++
	}
	return nil
}

// create makes the buckets and meta entries of a new, empty ledger.
func create(tx *bbolt.Tx, opts Options) error {
	for _, name := range [][]byte{bucketMeta, bucketLog, bucketPidx, bucketNames, bucketStreams} {
		if _, err := tx.CreateBucket(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	// Two full segments and their keys fill two pages exactly.
	seg := uint64(tx.DB().Info().PageSize - 32)
	if opts.segmentSize != 0 {
		seg = opts.segmentSize
	}
	meta := tx.Bucket(bucketMeta)
	format := formatV4
	if opts.unpacked {
		format = formatV3
	}
	if opts.NoJournal {
		format = formatV2
	}
	for _, kv := range []struct{ k, v []byte }{
		{keyFormat, []byte(format)},
		{keyIndexed, binary.AppendUvarint(nil, 0)},
		{keySegSize, binary.AppendUvarint(nil, seg)},
		{keyState, encodeState(0, 0)},
		{keyTail, []byte{}},
	} {
		if err := meta.Put(kv.k, kv.v); err != nil {
			return fmt.Errorf("initialise meta: %w", err)
		}
	}
	return nil
}

// putLogState writes the log's state into the meta bucket: its head, its
// length and its partial last segment.
func putLogState(meta *bbolt.Bucket, head, logLen uint64, tail []byte) error {
	if err := meta.Put(keyTail, tail); err != nil {
		return fmt.Errorf("write tail segment: %w", err)
	}
	if err := meta.Put(keyState, encodeState(head, logLen)); err != nil {
		return fmt.Errorf("write log state: %w", err)
	}
	return nil
}

// encodeState is the meta state value: head and log length.
func encodeState(head, logLen uint64) []byte {
	b := binary.AppendUvarint(nil, head)
	return binary.AppendUvarint(b, logLen)
}

// view returns the log as tx sees it, through ov when there is one.
func (s *Store) view(tx *bbolt.Tx, ov *overlay, sequential bool) (*logView, error) {
	if ov != nil {
		return &logView{
			log:        tx.Bucket(bucketLog),
			pidx:       tx.Bucket(bucketPidx),
			segSize:    s.segSize,
			head:       ov.head,
			logLen:     ov.logLen,
			tail:       ov.tail,
			ov:         ov,
			sequential: sequential,
		}, nil
	}
	meta := tx.Bucket(bucketMeta)
	st := meta.Get(keyState)
	head, n := binary.Uvarint(st)
	if n <= 0 {
		return nil, fmt.Errorf("%w: meta state", errCorrupt)
	}
	logLen, m := binary.Uvarint(st[n:])
	if m <= 0 {
		return nil, fmt.Errorf("%w: meta state", errCorrupt)
	}
	tail := meta.Get(keyTail)
	if uint64(len(tail)) != logLen%s.segSize {
		return nil, fmt.Errorf("%w: tail segment has %d bytes, log length %d", errCorrupt, len(tail), logLen)
	}
	return &logView{
		log:        tx.Bucket(bucketLog),
		pidx:       tx.Bucket(bucketPidx),
		segSize:    s.segSize,
		head:       head,
		logLen:     logLen,
		tail:       tail,
		sequential: sequential,
	}, nil
}

// enter registers a call; it fails once Close has begun.
func (s *Store) enter() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return eventstore.ErrClosed
	}
	s.inflight.Add(1)
	return nil
}

func (s *Store) exit() { s.inflight.Done() }

// Close stops the store: later calls return eventstore.ErrClosed, waiters in
// WaitForAppend are released, appends already accepted are committed and
// answered, and the file is closed. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.done)
		s.mu.Unlock()
		s.inflight.Wait()
		close(s.stop)
		<-s.stopped
		s.closeErr = s.closeJournal()
		if err := s.db.Close(); err != nil && s.closeErr == nil {
			s.closeErr = fmt.Errorf("bolt: close %s: %w", s.path, err)
		}
		s.closePages()
	})
	return s.closeErr
}

// Format returns the name of the file's layout as it was opened:
// "taskledger-bolt/4" for a new ledger with a journal (payloads packed),
// "taskledger-bolt/3" for an older one, "taskledger-bolt/2" without a
// journal (a format 1 file opened for writing is upgraded to 2).
func (s *Store) Format() string {
	if s.format == formatV1 && !s.readOnly {
		return formatV2
	}
	return s.format
}

// Path returns the ledger file's path.
func (s *Store) Path() string { return s.path }

// Head implements eventstore.Store.
func (s *Store) Head(ctx context.Context) (uint64, error) {
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.exit()
	return s.head.Load(), nil
}

// WaitForAppend implements eventstore.Store.
func (s *Store) WaitForAppend(ctx context.Context, after uint64) error {
	for {
		select {
		case <-s.done:
			return eventstore.ErrClosed
		default:
		}
		s.headMu.Lock()
		head, ch := s.head.Load(), s.headCh
		s.headMu.Unlock()
		if head > after {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return eventstore.ErrClosed
		}
	}
}

// setHead publishes a new head and wakes every waiter.
func (s *Store) setHead(head uint64) {
	s.headMu.Lock()
	s.head.Store(head)
	close(s.headCh)
	s.headCh = make(chan struct{})
	s.headMu.Unlock()
}

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, dir eventstore.Direction, from uint64, limit int) ([]domain.Event, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.exit()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	notFound := fmt.Errorf("read %s: %w", stream, eventstore.ErrStreamNotFound)
	sid, ok := s.names.id(kindStream, stream)
	if !ok || stream == "" {
		return nil, notFound
	}
	// The stream's recent versions, taken before the transaction begins:
	// the transaction's streams bucket then holds at least the versions
	// before them (a commit that writes the index clears recent only after
	// it is durable).
	var rec recentStream
	s.idxMu.RLock()
	if r := s.recent[sid]; r != nil {
		rec = recentStream{base: r.base, positions: r.positions[:len(r.positions):len(r.positions)]}
	}
	s.idxMu.RUnlock()
	var out []domain.Event
	err := s.viewTx(func(tx *bbolt.Tx, ov *overlay) error {
		streams := tx.Bucket(bucketStreams)
		st, _, err := getStreamState(streams, sid)
		if err != nil {
			return err
		}
		if st.version < rec.base.version {
			return fmt.Errorf("%w: stream %d index at version %d, behind recent versions from %d", errCorrupt, sid, st.version, rec.base.version)
		}
		last := max(st.version, rec.base.version+uint64(len(rec.positions)))
		if last == 0 {
			return notFound
		}
		var lo, hi uint64 // versions, inclusive
		if dir == eventstore.Backwards {
			hi = from
			if hi == 0 || hi > last {
				hi = last
			}
			lo = 1
			if limit > 0 && hi > uint64(limit) {
				lo = hi - uint64(limit) + 1
			}
		} else {
			lo = max(from, 1)
			if lo > last {
				return nil
			}
			hi = last
			if limit > 0 && hi-lo+1 > uint64(limit) {
				hi = lo + uint64(limit) - 1
			}
		}
		positions, err := streamPositions(streams, sid, lo, min(hi, st.version))
		if err != nil {
			return err
		}
		for v := max(lo, st.version+1); v <= hi; v++ {
			positions = append(positions, rec.positions[v-rec.base.version-1])
		}
		if dir == eventstore.Backwards {
			for i, j := 0, len(positions)-1; i < j; i, j = i+1, j-1 {
				positions[i], positions[j] = positions[j], positions[i]
			}
		}
		v, err := s.view(tx, ov, false)
		if err != nil {
			return err
		}
		r := newLogReader(v, s.names.snapshot(tx.Bucket(bucketNames)))
		out = make([]domain.Event, len(positions))
		var arena payloadArena
		for i, p := range positions {
			if err := r.seek(p); err != nil {
				return err
			}
			if err := r.next(&out[i]); err != nil {
				return err
			}
			out[i].Payload = arena.copy(out[i].Payload)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, eventstore.ErrStreamNotFound) {
			return nil, err
		}
		return nil, fmt.Errorf("bolt: read stream %s: %w", stream, s.closedErr(err))
	}
	return out, nil
}

// ReadAll implements eventstore.Store. Events are read up to the head as it
// was when the call began.
func (s *Store) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Event, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.exit()
	head := s.head.Load()
	if after >= head {
		return nil, nil
	}
	n := head - after
	if limit > 0 && n > uint64(limit) {
		n = uint64(limit)
	}
	out := make([]domain.Event, n)
	var arena payloadArena
	for done := uint64(0); done < n; {
		if err := s.alive(ctx); err != nil {
			return nil, fmt.Errorf("bolt: read log after %d: %w", after, err)
		}
		chunk := out[done:min(n, done+scanTxEvents)]
		err := s.viewTx(func(tx *bbolt.Tx, ov *overlay) error {
			r, err := s.reader(tx, ov, after+done+1)
			if err != nil {
				return err
			}
			for i := range chunk {
				if err := r.next(&chunk[i]); err != nil {
					return err
				}
				chunk[i].Payload = arena.copy(chunk[i].Payload)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("bolt: read log after %d: %w", after, s.closedErr(err))
		}
		done += uint64(len(chunk))
	}
	return out, nil
}

// ScanAll calls fn for every event whose position is greater than after, in
// log order, up to the head as it was when ScanAll began. It is the fast path
// for replay: it builds no slice of the log; it decodes a few hundred events
// at a time into buffers it reuses, so fn must not retain e or e.Payload
// past the call. fn may keep a copy of the struct (*e; its strings are
// immutable) with a copy of the payload. fn runs outside any transaction and
// may append to the store. An error from fn stops the scan and is returned
// wrapped; so is ctx's error, and ErrClosed if the store closes.
func (s *Store) ScanAll(ctx context.Context, after uint64, fn func(*domain.Event) error) error {
	batch := make([]domain.Event, scanBatch)
	payloads := make([]byte, 0, 128<<10)
	return s.ScanBatches(ctx, after,
		func() ([]domain.Event, []byte) { return batch, payloads[:0] },
		func(events []domain.Event, grown []byte) error {
			payloads = grown
			for i := range events {
				if err := fn(&events[i]); err != nil {
					return fmt.Errorf("bolt: scan log at position %d: %w", events[i].Position, err)
				}
			}
			return nil
		})
}

// scanBatch is how many events ScanAll decodes per read transaction.
const scanBatch = 512

// reader returns a reader of tx's log positioned at position from.
func (s *Store) reader(tx *bbolt.Tx, ov *overlay, from uint64) (*logReader, error) {
	v, err := s.view(tx, ov, true)
	if err != nil {
		return nil, err
	}
	r := newLogReader(v, s.names.snapshot(tx.Bucket(bucketNames)))
	if err := r.seek(from); err != nil {
		return nil, err
	}
	return r, nil
}

// alive reports ctx's error, or ErrClosed once Close has begun, so that long
// reads stop promptly.
func (s *Store) alive(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-s.done:
		return eventstore.ErrClosed
	default:
		return nil
	}
}

// closedErr maps bbolt's "database not open" to eventstore.ErrClosed.
func (s *Store) closedErr(err error) error {
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return fmt.Errorf("%w: %w", eventstore.ErrClosed, err)
	}
	return err
}

// payloadArena copies payloads into shared blocks: one allocation per 64 KiB
// of payloads instead of one per event.
type payloadArena struct{ buf []byte }

func (a *payloadArena) copy(p []byte) []byte {
	if len(p) == 0 {
		return nil
	}
	if cap(a.buf)-len(a.buf) < len(p) {
		a.buf = make([]byte, 0, max(64<<10, len(p)))
	}
	start := len(a.buf)
	a.buf = append(a.buf, p...)
	return a.buf[start:len(a.buf):len(a.buf)]
}
