// Package bolt is taskledger's embedded event store: the whole ledger in one
// bbolt (go.etcd.io/bbolt) file. It implements eventstore.Store, numbers the
// global log densely (1, 2, 3…) and adds fast paths for replay: ScanAll, a
// callback per event; ScanBatches, which reads into batches the caller
// lends and reuses; and ScanCoded, which does the same but leaves each
// payload as stored (compressed, or packed in format 4), for the caller's
// goroutines to decode in parallel (replay.Run's path).
//
// # Writes
//
// Append hands its request to one committer goroutine. Each round the
// committer takes every pending request, judges them in arrival order, each
// against the log as left by the requests before it in the same round, and
// makes the whole group durable at once: in formats 3 and 4, one
// synced journal frame (see "The journal" below); in format 2 one bbolt
// read-write transaction and its commit (two fsyncs). Each request gets its
// own answer; one refused for a wrong expected version or a mismatched
// duplicate does not affect the others. The store seals every event
// (stream, version, previous hash, hash) and assigns its position while it
// judges the group. An Append returns only after its group is durable.
//
// With many writers the callers answered by one commit come straight back
// with their next append; taking only what is pending at once would split
// them into two half-size groups that each pay a sync. So while the group
// holds fewer appends than the last commit saw in flight, the committer
// holds it open for at most Options.GroupWait (500 µs by default) for the
// rest, and writes each append into the group as it arrives, so that the
// group is ready to sync when the last one comes. A lone writer never
// waits, and does not even hand
// its append over: when the last commit saw at most one append in flight
// and no group is being committed, Append commits its group itself (the
// committer goroutine and such callers take turns under one lock), which
// saves two goroutine switches per commit.
//
// The stream index (each stream's head and version→position chunks in the
// streams bucket) is not written by every commit: that would dirty a page
// per stream touched, which cost more than everything else in a commit. The
// recent versions of streams are kept in memory, and the commit that brings
// their number to 65,536 (indexEvery) — in format 3, the first checkpoint
// after that — writes them all to the bucket and records the position the
// bucket is complete up to (meta "indexed"). The
// log stays the only truth: opening a ledger reads the records after that
// position to rebuild the recent versions (a crash between two such commits
// loses nothing), and reads combine the bucket with them.
//
// Idempotency uses an index of event IDs kept in memory, not in the file (an
// on-disk index would cost 25–40 bytes per event and a random page write per
// event). The committer rebuilds it when the store opens by reading the ID of
// every record (tens of milliseconds per million events; about 20–40 bytes
// of memory per event). Appends wait for that scan; reads do not.
//
// Full scans (ScanBatches, ScanCoded, the ID scan above) read the log's
// pages from the file through a second, read-only handle with pread, not
// through bbolt's memory map (fileCursor): on the virtual machines we
// measured, the first touch of each mapped page cost about 1.4 µs, eight
// times pread's copy of it. The cursor checks every page it reads, reads
// runs of leaves that lie one after the other in one call, and keeps what
// it read from one batch's transaction to the next while nothing is
// committed. bbolt's own walk of every page when it rebuilds its freelist
// on open is let go of right after (releaseMap), so an open ledger does
// not keep its file resident. Other reads use bbolt's cursor.
//
// # The journal (formats 3 and 4)
//
// A new ledger is format 4 unless Options.NoJournal asks for format 2.
// Format 4 is format 3 with packed payloads (below); a format 3 ledger
// stays format 3. In both, the file's layout is format 2's, and beside it
// (path + "-journal") an append-only journal makes each group commit
// durable with one fdatasync instead of bbolt's two (data pages, then the
// meta page). The committer judges the group against the log as before, in
// a bbolt transaction that only reads, writes one journal frame holding the
// names the group interned and the log bytes it appended, syncs the
// journal, and answers the appends. Where the file system allows, the
// frame is written past the page cache (O_DIRECT with O_DSYNC, whole 4 KiB
// blocks from the one the frame begins in, the bytes already there written
// again as they are): the write returns once the frame is on the disk,
// with less wait and less of the kernel's CPU than a write and an
// fdatasync (journal_direct.go); elsewhere, a write and an fdatasync. It does not write the file. The group's
// full segments, record offsets and state go into an overlay held in
// memory, published after each group; readers take the published overlay
// before they begin their bbolt transaction and read below its base from
// the file and the rest from it (a checkpoint publishes a new base only
// after its commit, so the file a reader sees holds at least everything
// below the base it took).
//
// A second after the first group since the last checkpoint, the committer
// starts a checkpoint in the background and goes on committing: one bbolt
// transaction writes the overlay as it was when the checkpoint began (its
// segments, checkpoints, names, tail and state, and the stream index when
// it is due, see indexEvery), and bbolt commits it with its usual two
// syncs. Then, under the commit lock, the overlay keeps only the groups
// committed since the checkpoint began, and the journal only their frames:
// it is replaced by a journal holding just those frames (its header alone
// when there are none), written and synced beside it and renamed over it
// (a crash leaves one or the other, and recovery skips the frames the file
// holds); the replaced file is closed after the lock is let go. When the
// journal reaches 64 MiB with no checkpoint running, and at Close, the
// committer checkpoints before it commits again. Close removes the
// journal, so a closed ledger is its file alone, and a ledger at rest has
// its file up to date about a second after its last append.
// The overlay holds about that second's (at most 64 MiB of journal's) log
// bytes. Store.Checkpoint runs a checkpoint on demand and waits for it.
//
// The journal begins with a 64-byte header: "taskledger-journal/1\n", then
// the boot ID of the machine that wrote it, padded with zero bytes. A frame
// is a u32 big-endian body length, the body's CRC-32C (Castagnoli)
// as u32 big-endian, and the body: uvarint position the group follows ·
// uvarint log length before it · uvarint events in it · uvarint count of
// names, each a kind byte, uvarint ID, uvarint length and the bytes · then
// the log bytes (records as in the log, below). After the last frame the
// journal holds zeros: the writer zeroes the file a few MiB ahead of its
// frames, in the background, so that a frame overwrites bytes the file
// has and its sync need not also record a longer file. Opening a format 3 ledger
// for writing reads the journal, skips the groups the file holds already,
// and applies the rest in one transaction (names, checkpoints, segments,
// tail, state), then syncs the file and empties the journal; the stream
// index catches up as it always does, from the log after "indexed". A last
// frame cut short, zeroed or failing its checksum is what a crash during
// its write leaves — its group was never acknowledged — and is dropped. A
// frame that fails before the end, frames that do not follow each other,
// or a journal that does not continue the file are damage: Open refuses
// with a *DamagedError naming the journal and writes nothing. A read-only
// Open never writes, so it refuses a ledger whose journal holds groups the
// file lacks (ErrJournalPending) until a writer has opened it once.
//
// What it leaves to the machine: nothing but synced bbolt commits ever
// change the file, so a killed process or a machine that stops (power,
// kernel) leaves it as the last checkpoint made it — bbolt's commit is
// atomic — and the journal holds every group acknowledged since. When the
// journal's header names another boot than the machine's current one,
// recovery also reads the whole file first — every event's hash, every
// stream's versions and chain, the stream index as of "indexed" — and
// refuses a file that does not hold together as damaged, writing nothing:
// a check against a disk that lost synced writes, not a window the store
// leaves open.
//
// # Opening and damaged files
//
// Open never creates a file where the caller asked for an existing ledger
// (Options.MustExist, Options.ReadOnly), and makes a new ledger whole in a
// temporary file beside the target before linking it into place, so a file
// at the path is always a complete ledger or not one of ours. Before bbolt
// maps an existing file, Open reads it itself under a shared lock, writing
// nothing: not empty; a valid bbolt meta page; no page in use beyond the end
// of the file (a truncated copy); and every page reachable from that meta
// page well formed — type, element table and keys inside the page, keys in
// order, each page used once — which is what bbolt trusts and panics or
// faults on, sometimes on goroutines of its own where nothing can recover.
// That walk costs about as much as the free-page scan bbolt runs on every
// read-write open (≈ 0.15 s for a 200 MB, million-event ledger). Then the
// ledger's own meta (format, buckets, head) is checked. A file that fails is
// refused with a *DamagedError naming it and the problem (errors.Is
// eventstore.ErrDamaged; ErrNotLedger for a foreign file) and left byte for
// byte as it was. A file in a later format of this store, which a newer
// taskledger wrote, is refused the same way with a *NewerFormatError
// (ErrNewerFormat) instead: it is not damaged. Panics and memory faults inside bbolt during open and in
// every transaction are recovered into the same error.
//
// Options.ReadOnly opens with bbolt's read-only mode for verify-like
// callers: shared lock, no committer, no format upgrade, nothing written.
//
// # File layout (format "taskledger-bolt/2"; 3 and 4 with a journal)
//
// Integers are unsigned LEB128 varints ("uvarint") unless said otherwise;
// u32 and u64 keys are big-endian so that they sort numerically. The file
// has five top-level buckets:
//
//	meta     "format"  → "taskledger-bolt/2" (or /3: a journal is kept;
//	                     /4: a journal, and payloads packed)
//	         "segsize" → uvarint S, the segment size (bbolt page size − 32)
//	         "state"   → uvarint head position · uvarint log length in bytes
//	         "tail"    → the log's last, partial segment: (log length mod S) bytes
//	         "indexed" → uvarint position P: the streams bucket holds every
//	                     event up to P, and none after it
//	log      u64 i     → bytes [i·S, (i+1)·S) of the log; full segments only
//	pidx     u64 c     → uvarint byte offset of the record at position 32·c+1
//	names    kind · u32 id → an interned string, by kind:
//	                     's' stream name, 't' event type, 'a' actor,
//	                     'd' payload dictionary of the event type with the same id,
//	                     'p' shape of packed payloads (format 4);
//	                     IDs count 1, 2, 3… per kind; ID 0 stands for ""
//	streams  u32 sid   → uvarint last version · uvarint last position ·
//	                     32-byte hash of the last event
//	         u32 sid · u32 c → positions of versions 64·c+1 … 64·c+64 of the
//	                     stream: the first as a uvarint, then uvarint deltas
//	                     (both as of the position in meta "indexed")
//
// Format 1 differed only in having no "indexed" key: its streams bucket was
// written by every commit. Opening a format 1 file sets "indexed" to its
// head and the format to 2, which older binaries refuse to open.
//
// The log is one byte string: every record in position order, each a
// uvarint body length followed by the body. It is cut into segments of S
// bytes regardless of record boundaries, so records span segments and leave
// no padding; two full segments with their keys fill two bbolt pages
// exactly. The partial last segment lives in meta, so a commit rewrites one
// small page instead of the log's last leaf. The record at position p is
// found from checkpoint (p−1)/32 by stepping over record lengths. Segment,
// checkpoint and name keys only grow (per kind, for names), so those
// buckets fill their pages completely (FillPercent 1.0); the streams bucket
// keeps bbolt's default.
//
// A record body is:
//
//	uvarint flags
//	    bits 0-1  causation mode: 0 zero (omitted), 1 literal,
//	              2 same as the previous record's causation ID
//	    bits 2-3  correlation mode: as causation, and 3 equal to this
//	              record's causation ID
//	    bit 4     prev hash is zero (omitted)
//	    bit 5     payload is compressed with the type's dictionary
//	    bit 6     recorded-at is the zero time (omitted)
//	    bit 7     effective-at is the zero time (omitted)
//	    bit 8     payload is packed (format 4): shape ID ('p'), then values
//	16 bytes      event ID
//	uvarint       stream ID ('s')
//	uvarint       version
//	uvarint       type ID ('t')
//	uvarint       schema version
//	time          recorded-at, relative to the previous record's recorded-at
//	time          effective-at, relative to this record's recorded-at
//	uvarint       actor ID ('a'; 0 for "")
//	[16 bytes]    causation ID, if literal
//	[16 bytes]    correlation ID, if literal
//	[32 bytes]    prev hash, unless zero
//	32 bytes      hash
//	rest          payload: the hashed bytes, their compressed form, or
//	              their packed form
//
// A time is Unix nanoseconds relative to a base: a uvarint v whose low 3
// bits k < 4 give the unit (ns, µs, ms, s = 1000^k ns) and whose upper bits
// are the zigzag-coded difference in that unit; or v = 4 followed by the
// absolute Unix nanoseconds as 8 big-endian bytes. "Previous record" means
// the previous record of the same checkpoint group: at positions 32·c+1 the
// previous causation and correlation are zero and the previous recorded-at
// is 0, so every group decodes on its own. Times come back in UTC; the store
// refuses times outside 1678–2262, whose Unix nanoseconds the hash cannot
// represent.
//
// A compressed payload is coded against its type's dictionary, which is the
// first payload ever stored for that type (at most 4096 bytes) and never
// changes. It is a sequence of ops, each a uvarint v: if v is even, a
// literal run of v/2+1 bytes follows; if v is odd, a uvarint offset follows
// and the op copies (v−1)/2+5 bytes from the dictionary at that offset. The
// store keeps the compressed form only if it is shorter and decompresses back
// to the payload.
//
// A packed payload (format 4, taskledger/internal/packed) is a uvarint
// shape ID, then the payload's values in the shape's order. The shape lists
// the payload's keys, each a kind byte ('s' string, 'i' integer, 'r' any
// other JSON value), the key and a zero byte. A string or raw value is a
// uvarint length n, then a uvarint c·2+z and c bytes: coded against the
// type's dictionary as above when z is 1, the n bytes themselves when z is
// 0. An integer is a zigzag varint. The store keeps the packed form only if
// it unpacks back to the payload; otherwise it stores the payload as
// format 3 would. At most 4,096 shapes are interned.
//
// Every field of the canonical encoding (docs/ledger-format.md) is stored
// or exactly recoverable, so (*domain.Event).Verify recomputes an event's
// hash from what is read back: a changed payload, ID, time or link shows.
package bolt
