package projections

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/replay"
)

// PastDir is the folder, in a runner's snapshot folder, where Past keeps
// the read models as they stood at past log positions.
const PastDir = "past"

// DefaultPastEvery is how many events apart Past keeps its sets unless
// told otherwise: an as-of question then replays at most this many events
// after restoring the set before its cut.
const DefaultPastEvery = 100_000

// Past keeps the read models an as-of question reads (every model but the
// audit index, as BuildAsOf builds them) as they stood at past log
// positions: one set of snapshots at every multiple of a spacing, each in
// a folder named by its position. An as-of question then restores the
// newest set at or before its cut and replays only the events between,
// instead of the log from its beginning.
//
// A set is what the log's prefix up to its position folds to, and it is
// checked as a snapshot is (LoadSnapshot): its checksum, and the hash of
// the event at its position against the log. A set that fails is passed
// over with a warning and left as it is; the next older set, or the
// beginning of the log, serves instead. So the answer is always the fold
// of the log's prefix: sets only make it quicker.
//
// Sets live under dir in a folder named for this build's snapshot format
// and model shapes: a build that reads models otherwise starts its own
// sets, and leaves the older build's alone.
type Past struct {
	dir    string
	every  uint64
	cfg    Config
	logger *slog.Logger
}

// NewPast returns the past sets kept under dir, every events apart (zero
// or less means DefaultPastEvery), of read models with the rules cfg sets.
// A nil logger means slog.Default().
func NewPast(dir string, every int, cfg Config, logger *slog.Logger) *Past {
	if every <= 0 {
		every = DefaultPastEvery
	}
	if logger == nil {
		logger = slog.Default()
	}
	cfg = cfg.withDefaults()
	return &Past{dir: filepath.Join(dir, pastKey(cfg)), every: uint64(every), cfg: cfg, logger: logger}
}

// pastKey names the folder of this build's sets: a hash of the snapshot
// format, each as-of model's name and state shape, and the rules the
// models fold with.
func pastKey(cfg Config) string {
	var b strings.Builder
	b.WriteString(snapshotMagic)
	for _, m := range newViewsWithoutAudit(cfg).Models() {
		fmt.Fprintf(&b, "%s %s\n", m.Name(), stateShape(m.state()))
	}
	fmt.Fprintf(&b, "%d %d %d\n", cfg.BackdateGrace, cfg.YellowDays, cfg.ReportDeadlineDays)
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}

// Every returns the spacing of the sets, in events.
func (p *Past) Every() int { return int(p.every) }

// BuildAsOf builds the read models an as-of question reads, as the
// package's BuildAsOf does, from the newest usable set at or before the
// cut and the events after it.
func (p *Past) BuildAsOf(ctx context.Context, s eventstore.Store, reg *domain.Registry, cut Cut) (*Views, error) {
	return buildFrom(ctx, s, reg, cut, func(until uint64) (*Views, uint64) { return p.restore(ctx, s, until) })
}

// restore returns the models of the newest usable set at or before until,
// and its position; fresh models and 0 when there is none.
func (p *Past) restore(ctx context.Context, s eventstore.Store, until uint64) (*Views, uint64) {
	sets := p.Positions()
	for i := len(sets) - 1; i >= 0; i-- {
		if sets[i] > until {
			continue
		}
		if v, err := p.load(ctx, s, sets[i]); err == nil {
			return v, sets[i]
		} else if ctx.Err() == nil {
			p.logger.Warn("past read models passed over; an older set or the log serves instead", "position", sets[i], "err", err)
		}
	}
	return newViewsWithoutAudit(p.cfg), 0
}

// load restores the set at pos.
func (p *Past) load(ctx context.Context, s eventstore.Store, pos uint64) (*Views, error) {
	v := newViewsWithoutAudit(p.cfg)
	dir := p.setDir(pos)
	models := v.Models()
	if err := errors.Join(loadSnapshots(ctx, dir, s, models)...); err != nil {
		return nil, err
	}
	for _, m := range models {
		if m.Position() != pos {
			return nil, fmt.Errorf("%s: snapshot in %s is at position %d: %w", m.Name(), dir, m.Position(), ErrSnapshotDiscarded)
		}
	}
	return v, nil
}

// Positions lists the positions of the sets on disk, in order. Folders
// whose names are not positions (a set being written) are not sets.
func (p *Past) Positions() []uint64 {
	entries, err := os.ReadDir(p.dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			p.logger.Warn("past read models unreadable; the log serves instead", "dir", p.dir, "err", err)
		}
		return nil
	}
	var out []uint64
	for _, e := range entries {
		if pos, err := strconv.ParseUint(e.Name(), 10, 64); err == nil && e.IsDir() && pos > 0 {
			out = append(out, pos)
		}
	}
	slices.Sort(out)
	return out
}

// setDir is the folder of the set at pos. The name is zero-padded so that
// a listing sorts by position.
func (p *Past) setDir(pos uint64) string {
	return filepath.Join(p.dir, fmt.Sprintf("%020d", pos))
}

// Fill saves the sets the log has room for and does not hold yet: from
// the newest usable set (or the beginning), it replays the log as it
// stands and saves a set at each multiple of the spacing it passes. It
// returns how many sets it saved. Saving a set takes no lock on the
// ledger; a set appears whole or not at all.
func (p *Past) Fill(ctx context.Context, s eventstore.Store, reg *domain.Registry) (int, error) {
	head, err := s.Head(ctx)
	if err != nil {
		return 0, fmt.Errorf("past read models: %w", err)
	}
	p.removeAbandoned()
	var newest uint64
	if sets := p.Positions(); len(sets) > 0 {
		newest = sets[len(sets)-1]
	}
	if head/p.every <= newest/p.every {
		return 0, nil // the log has no room for a set after the newest
	}
	v, from := p.restore(ctx, s, head)
	saved := 0
	apply := func(e *domain.Event, data domain.EventData) error {
		if err := v.Apply(e, data); err != nil {
			return err
		}
		if e.Position%p.every != 0 {
			return nil
		}
		if err := p.save(ctx, s, v, e.Position); err != nil {
			return err
		}
		saved++
		return nil
	}
	until := head / p.every * p.every
	if _, err := replay.Run(ctx, s, reg, replay.Options{After: from, Until: until, PayloadsUnread: true}, apply); err != nil {
		return saved, fmt.Errorf("past read models: %w", err)
	}
	return saved, nil
}

// due reports whether a set belongs at pos and is not there yet.
func (p *Past) due(pos uint64) bool {
	if pos%p.every != 0 {
		return false
	}
	_, err := os.Stat(p.setDir(pos))
	return errors.Is(err, fs.ErrNotExist)
}

// keep saves, as the set at pos, the models of live that an as-of question
// reads, when they stand at pos and fold by this Past's rules. live's
// models are saved as they are: call it where no event is being applied
// to them.
func (p *Past) keep(ctx context.Context, s eventstore.Store, live *Views, pos uint64) error {
	if live.Config != p.cfg {
		return nil
	}
	v := &Views{Config: live.Config, Catalog: live.Catalog, Obligations: live.Obligations, Indicators: live.Indicators}
	for _, m := range v.Models() {
		if m.Position() != pos {
			return nil // restored ahead, or stopped short: Fill makes this set
		}
	}
	return p.save(ctx, s, v, pos)
}

// writingPrefix opens the name of a folder a set is written into before
// it is renamed into place; the writing process's ID follows it.
const writingPrefix = "writing-"

// removeAbandoned removes the folders of sets whose writing process is
// gone (killed while it wrote): they are not sets, and nothing else would
// ever remove them. A folder of a process still running is left alone.
func (p *Past) removeAbandoned() {
	entries, err := os.ReadDir(p.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, ok := writerOf(e.Name())
		if !ok || pid == os.Getpid() || !processGone(pid) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(p.dir, e.Name())); err != nil {
			p.logger.Warn("could not remove an abandoned past set", "dir", filepath.Join(p.dir, e.Name()), "err", err)
		}
	}
}

// writerOf returns the process ID in the name of a folder save writes into.
func writerOf(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, writingPrefix)
	if !ok {
		return 0, false
	}
	digits, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(digits)
	return pid, err == nil && pid > 0
}

// save writes v, which stands at pos, as the set at pos: into a folder of
// its own first, renamed into place once every model is written. A set
// already there (another process's) is kept.
func (p *Past) save(ctx context.Context, s eventstore.Store, v *Views, pos uint64) error {
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return fmt.Errorf("past read models at %d: %w", pos, err)
	}
	tmp, err := os.MkdirTemp(p.dir, fmt.Sprintf("%s%d-", writingPrefix, os.Getpid()))
	if err != nil {
		return fmt.Errorf("past read models at %d: %w", pos, err)
	}
	defer os.RemoveAll(tmp)
	for _, m := range v.Models() {
		if err := SaveSnapshot(ctx, tmp, s, m); err != nil {
			return fmt.Errorf("past read models at %d: %w", pos, err)
		}
	}
	if err := os.Rename(tmp, p.setDir(pos)); err != nil {
		if _, statErr := os.Stat(p.setDir(pos)); statErr == nil {
			p.logger.Debug("past read models already there, kept", "position", pos, "dir", p.setDir(pos))
			return nil
		}
		return fmt.Errorf("past read models at %d: %w", pos, err)
	}
	return syncDir(p.dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
