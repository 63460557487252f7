package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/feed"
	"taskledger/replay"
)

// ProjectorConsumer is the consumer name the projector subscribes to the
// store's log under (the Watermill topic of eventstore/feed).
const ProjectorConsumer = "projector"

// RunnerConfig configures a Runner.
type RunnerConfig struct {
	// SnapshotDir is where models' snapshots and the projector's checkpoint
	// are kept; empty disables both (the models are rebuilt on every start).
	SnapshotDir string
	// SnapshotEvery is how many events the projector delivers live between
	// snapshots of every model (and the checkpoint that follows them). Zero
	// means 50,000.
	SnapshotEvery int
	// Past, when set, gets a set of past read models (Past) each time the
	// models pass a multiple of its spacing, catching up or live: saved
	// from the models themselves, on the goroutine that applies events,
	// before the position moves on. Sets below where the models were
	// restored are Past.Fill's to make.
	Past *Past
	// MaxRetries bounds how often the projector retries an event a model
	// failed to apply before that model stops. Zero means 3.
	MaxRetries int
	// Logger receives progress and failures. Nil means slog.Default().
	Logger *slog.Logger
}

// Runner is the read side's one projector. It restores the models'
// snapshots and its checkpoint, catches up on stored events in bulk with
// replay, then follows the store's global log live through one Watermill
// subscription (eventstore/feed) with a single handler. Either way each
// event is decoded once and handed to every model in order; a model that is
// already past the event skips it. A model that cannot apply an event stops
// and its failure names the event; it never skips one. The others go on.
type Runner struct {
	store eventstore.Store
	dec   replay.Decoder
	views *Views
	cfg   RunnerConfig

	// pos is the projector's position: the last event it handed to every
	// model that is still running.
	pos atomic.Uint64
	// armed is set while some WaitFor holds wake, so advancing the position
	// costs one atomic load when nobody waits.
	armed atomic.Bool
	// checks counts how often WaitFor evaluated its condition; tests use it
	// to show that waiters are woken by the projector, not by a timer.
	checks atomic.Uint64
	// failed counts stopped models, so the common case (none) costs no lock.
	failed atomic.Int32

	mu       sync.Mutex
	failures map[string]error
	wake     chan struct{} // closed when the position advances or a model fails
	saved    uint64        // position of the checkpoint on disk
	durable  uint64        // lowest position the last complete snapshot set holds
	router   *message.Router
	sub      *feed.Subscriber
	done     chan struct{}

	// sinceSnapshot counts live deliveries since the last snapshot set; only
	// the handler touches it.
	sinceSnapshot int
}

// NewRunner returns a runner for views over store, decoding with dec
// (normally the domain's *domain.Registry).
func NewRunner(store eventstore.Store, dec replay.Decoder, views *Views, cfg RunnerConfig) *Runner {
	if cfg.SnapshotEvery <= 0 {
		cfg.SnapshotEvery = 50_000
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 3
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Runner{store: store, dec: dec, views: views, cfg: cfg, failures: map[string]error{}}
}

// Views returns the models the runner feeds.
func (r *Runner) Views() *Views { return r.views }

// Position returns the projector's position: the last event it has handed to
// every running model. After Restore it is where the projector resumes. A
// model that stopped stays behind it; Views().Position() is the lowest
// position every model holds.
func (r *Runner) Position() uint64 { return r.pos.Load() }

// Restore loads each model's snapshot, where one matches the log, and the
// projector's checkpoint. Models without a usable snapshot start from
// position zero. The projector resumes from its checkpoint, but never from
// beyond what the restored models hold: a missing or stale snapshot pulls it
// back, and models restored from newer snapshots skip what they have.
func (r *Runner) Restore(ctx context.Context) {
	if r.cfg.SnapshotDir == "" {
		return
	}
	models := r.views.Models()
	for i, err := range loadSnapshots(ctx, r.cfg.SnapshotDir, r.store, models) {
		m := models[i]
		if err != nil {
			level := slog.LevelInfo
			if errors.Is(err, ErrSnapshotDiscarded) {
				level = slog.LevelWarn // damaged, edited or of another log
			}
			r.cfg.Logger.Log(ctx, level, "read model starts from the beginning of the log", "model", m.Name(), "reason", err)
			continue
		}
		r.cfg.Logger.Info("read model restored from snapshot", "model", m.Name(), "position", m.Position())
	}
	held := r.views.Position()
	resume := held
	cp, err := LoadCheckpoint(ctx, r.cfg.SnapshotDir, r.store)
	switch {
	case err != nil:
		r.cfg.Logger.Info("projector resumes from its read models' positions", "position", held, "reason", err)
	case cp > held:
		r.cfg.Logger.Info("projector checkpoint is ahead of the restored read models; resuming from them", "checkpoint", cp, "position", held)
	default:
		resume = cp
	}
	r.pos.Store(resume)
	r.mu.Lock()
	r.durable, r.saved = resume, resume
	r.mu.Unlock()
}

// loadSnapshots loads each model's snapshot from dir, every model on a
// goroutine of its own, and returns each one's LoadSnapshot error in the
// models' order. (The obligations and the audit index of a million events
// take 0.1–0.25 s each to restore; together they take the longer of the
// two.)
func loadSnapshots(ctx context.Context, dir string, s eventstore.Store, models []Model) []error {
	errs := make([]error, len(models))
	var wg sync.WaitGroup
	for i, m := range models {
		wg.Go(func() { errs[i] = LoadSnapshot(ctx, dir, s, m) })
	}
	wg.Wait()
	return errs
}

// keepPast saves the past set at pos when one is due there and every model
// it holds stands at pos. A set it cannot save is left to Past.Fill; the
// projector goes on.
func (r *Runner) keepPast(ctx context.Context, pos uint64) {
	if r.cfg.Past == nil || !r.cfg.Past.due(pos) {
		return
	}
	if err := r.cfg.Past.keep(ctx, r.store, r.views, pos); err != nil && ctx.Err() == nil {
		r.cfg.Logger.Warn("past read models not saved; questions about the past replay more of the log", "position", pos, "err", err)
	}
}

// CatchUp applies, in bulk, every stored event after the projector's
// position, decoding each once on every core and handing it to every model
// in log order. It returns the number of events replayed. A model that
// cannot apply an event stops there, and CatchUp returns its failure.
func (r *Runner) CatchUp(ctx context.Context) (int, error) {
	models := r.views.Models()
	stats, err := replay.Run(ctx, r.store, r.dec, replay.Options{After: r.pos.Load(), PayloadsUnread: true}, func(e *domain.Event, data domain.EventData) error {
		for _, m := range models {
			if e.Position <= m.Position() || r.stopped(m) {
				continue
			}
			if err := m.Apply(e, data); err != nil {
				r.fail(m, fmt.Errorf("apply %s at position %d (stream %s, version %d): %w", e.Type, e.Position, e.Stream, e.Version, err))
				return fmt.Errorf("%s: %w", m.Name(), err)
			}
		}
		r.keepPast(ctx, e.Position)
		r.advance(e.Position)
		return nil
	})
	if err != nil {
		return stats.Events, fmt.Errorf("catch up read models: %w", err)
	}
	return stats.Events, nil
}

// SnapshotAll writes every model's snapshot and then the projector's
// checkpoint. Call it only while no events are being applied (before Start
// or after Close).
func (r *Runner) SnapshotAll(ctx context.Context) error {
	if err := r.snapshotSet(ctx); err != nil {
		return err
	}
	return r.persist(ctx)
}

// snapshotSet writes every model's snapshot and records the lowest position
// they hold as durable. It runs on the goroutine that applies events.
func (r *Runner) snapshotSet(ctx context.Context) error {
	if r.cfg.SnapshotDir == "" {
		return nil
	}
	for _, m := range r.views.Models() {
		if err := SaveSnapshot(ctx, r.cfg.SnapshotDir, r.store, m); err != nil {
			return err
		}
	}
	held := r.views.Position()
	r.mu.Lock()
	r.durable = max(r.durable, held)
	r.mu.Unlock()
	return nil
}

// persist writes the checkpoint when the snapshots on disk hold more than
// it says. It is the only writer of the checkpoint file, and it writes only
// a position every snapshot already holds: the models live in memory, so a
// position beyond their last snapshots would be lost by a kill.
func (r *Runner) persist(ctx context.Context) error {
	if r.cfg.SnapshotDir == "" {
		return nil
	}
	r.mu.Lock()
	pos, saved := r.durable, r.saved
	r.mu.Unlock()
	if pos <= saved {
		return nil
	}
	if err := SaveCheckpoint(ctx, r.cfg.SnapshotDir, r.store, pos); err != nil {
		return err
	}
	r.mu.Lock()
	r.saved = max(r.saved, pos)
	r.mu.Unlock()
	return nil
}

// Start restores snapshots, catches up in bulk, snapshots when the catch-up
// was long, and then follows the log live until Close. It returns once the
// live handler is running.
func (r *Runner) Start(ctx context.Context) error {
	r.Restore(ctx)
	began := time.Now()
	n, err := r.CatchUp(ctx)
	if err != nil {
		return err
	}
	r.cfg.Logger.Info("read models caught up", "events", n, "position", r.views.Position(), "took", time.Since(began).Round(time.Millisecond))
	if n >= r.cfg.SnapshotEvery {
		if err := r.SnapshotAll(ctx); err != nil {
			return err
		}
	}
	return r.startLive()
}

// liveCheckpoints is the feed's view of the projector's checkpoint. Load
// is where the live subscription starts: the position the catch-up reached.
// Save runs after each delivered event is acknowledged and writes the
// checkpoint file once a snapshot set holds more than it says.
type liveCheckpoints struct{ r *Runner }

// Load implements feed.Checkpoints.
func (c liveCheckpoints) Load(_ context.Context, consumer string) (uint64, error) {
	if consumer != ProjectorConsumer {
		return 0, fmt.Errorf("no projector consumer named %q", consumer)
	}
	return c.r.pos.Load(), nil
}

// Save implements feed.Checkpoints. A checkpoint that cannot be written is
// logged and left where it was: restarting from an older one is safe, and
// stopping the feed would stop every read model.
func (c liveCheckpoints) Save(ctx context.Context, _ string, _ uint64) error {
	if err := c.r.persist(ctx); err != nil && ctx.Err() == nil {
		c.r.cfg.Logger.Warn("projector checkpoint not saved; a restart resumes from the previous one", "err", err)
	}
	return nil
}

func (r *Runner) startLive() error {
	// Watermill reports every handler start and stop at info level; those
	// are debug details for the ledger's operators.
	logger := watermill.NewSlogLoggerWithLevelMapping(r.cfg.Logger, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
	sub, err := feed.NewSubscriber(r.store, feed.Config{Checkpoints: liveCheckpoints{r}, Logger: logger})
	if err != nil {
		return fmt.Errorf("start projector: %w", err)
	}
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 10 * time.Second}, logger)
	if err != nil {
		return fmt.Errorf("start projector: %w", err)
	}
	h := router.AddConsumerHandler(ProjectorConsumer, ProjectorConsumer, sub, r.handle)
	h.AddMiddleware(middleware.Recoverer)
	r.mu.Lock()
	r.router, r.sub, r.done = router, sub, make(chan struct{})
	r.mu.Unlock()
	go func() {
		defer close(r.done)
		if err := router.Run(context.Background()); err != nil {
			r.cfg.Logger.Error("projector stopped", "err", err)
		}
	}()
	<-router.Running()
	return nil
}

// handle is the projector's one Watermill handler: it decodes the delivered
// event once, hands it to every running model that has not applied it, and
// snapshots every model now and then. An error (only a cancellation) leaves
// the event unacknowledged, to be delivered again.
func (r *Runner) handle(msg *message.Message) error {
	e, ok := feed.EventFrom(msg)
	if !ok {
		return errors.New("projector: message carries no ledger event")
	}
	ctx := msg.Context()
	var (
		data   domain.EventData
		decErr error
		loaded bool
	)
	for _, m := range r.views.Models() {
		if e.Position <= m.Position() || r.stopped(m) {
			continue
		}
		if !loaded {
			data, decErr = r.dec.Decode(e)
			loaded = true
		}
		err := decErr
		if err != nil {
			err = fmt.Errorf("decode %s at position %d (stream %s, version %d): %w", e.Type, e.Position, e.Stream, e.Version, err)
		} else if err = r.applyRetrying(ctx, m, e, data); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			err = fmt.Errorf("apply %s at position %d (stream %s, version %d): %w", e.Type, e.Position, e.Stream, e.Version, err)
		}
		if err != nil {
			r.fail(m, err)
		}
	}
	r.keepPast(ctx, e.Position)
	r.advance(e.Position)
	r.sinceSnapshot++
	if r.cfg.SnapshotDir != "" && r.sinceSnapshot >= r.cfg.SnapshotEvery {
		r.sinceSnapshot = 0
		if err := r.snapshotSet(ctx); err != nil && ctx.Err() == nil {
			r.cfg.Logger.Warn("snapshot failed; the read models will catch up from older ones", "err", err)
		}
	}
	return nil
}

// applyRetrying applies e to m, retrying up to MaxRetries times with a
// growing pause; a panic in the model counts as a failed attempt.
func (r *Runner) applyRetrying(ctx context.Context, m Model, e *domain.Event, data domain.EventData) error {
	wait := 10 * time.Millisecond
	var err error
	for attempt := 0; ; attempt++ {
		if err = applyRecovering(m, e, data); err == nil {
			return nil
		}
		if attempt >= r.cfg.MaxRetries {
			return err
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, time.Second)
	}
}

// applyRecovering applies e to m, turning a panic into an error.
func applyRecovering(m Model, e *domain.Event, data domain.EventData) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return m.Apply(e, data)
}

// advance moves the projector's position and wakes every WaitFor.
func (r *Runner) advance(pos uint64) {
	r.pos.Store(pos)
	if r.armed.Load() {
		r.broadcast()
	}
}

// broadcast wakes every WaitFor.
func (r *Runner) broadcast() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.wake != nil {
		close(r.wake)
		r.wake = nil
		r.armed.Store(false)
	}
}

// changed returns a channel closed at the next advance or failure.
func (r *Runner) changed() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.wake == nil {
		r.wake = make(chan struct{})
		r.armed.Store(true)
	}
	return r.wake
}

// stopped reports whether m has failed.
func (r *Runner) stopped(m Model) bool {
	if r.failed.Load() == 0 {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failures[m.Name()] != nil
}

// fail stops m: it records why, once, and wakes every WaitFor.
func (r *Runner) fail(m Model, err error) {
	r.mu.Lock()
	if r.failures[m.Name()] == nil {
		r.failures[m.Name()] = fmt.Errorf("read model %s stopped: %w", m.Name(), err)
		r.failed.Add(1)
		r.cfg.Logger.Error("read model stopped", "model", m.Name(), "err", err)
	}
	r.mu.Unlock()
	r.broadcast()
}

// Failure returns why a model stopped, or nil when all are running.
func (r *Runner) Failure() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	for _, m := range r.views.Models() {
		if err := r.failures[m.Name()]; err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// WaitFor blocks until every model has applied the event at pos, or ctx
// ends. A mutation calls it to read its own write. When a model has stopped
// short of pos, WaitFor returns its failure once the projector has handed
// pos to the models still running (at once if the projector is not live),
// so what they answer includes the write. It sleeps until the projector
// advances or a model fails; it does not poll.
func (r *Runner) WaitFor(ctx context.Context, pos uint64) error {
	for {
		// Take the channel before looking, so an advance in between is
		// not missed.
		wake := r.changed()
		r.checks.Add(1)
		// Loading the projector's position after arming orders this check
		// after any advance that did not see the waiter armed, and so
		// after the models' updates that advance followed.
		at := r.pos.Load()
		if r.views.Position() >= pos {
			return nil
		}
		if err := r.Failure(); err != nil && (at >= pos || !r.live()) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for read models to reach position %d (at %d): %w", pos, r.views.Position(), ctx.Err())
		case <-wake:
		}
	}
}

// live reports whether the projector follows the log.
func (r *Runner) live() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.router != nil
}

// Close stops live delivery and writes final snapshots and the checkpoint.
func (r *Runner) Close(ctx context.Context) error {
	r.mu.Lock()
	router, sub, done := r.router, r.sub, r.done
	r.router = nil
	r.mu.Unlock()
	if router == nil {
		return nil
	}
	err := router.Close()
	<-done
	err = errors.Join(err, sub.Close())
	return errors.Join(err, r.SnapshotAll(ctx))
}
