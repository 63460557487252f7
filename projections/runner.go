package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/feed"
	"taskledger/replay"
)

// RunnerConfig configures a Runner.
type RunnerConfig struct {
	// SnapshotDir is where models' snapshots are kept; empty disables them.
	SnapshotDir string
	// SnapshotEvery is how many applied events a model waits between
	// snapshots while live. Zero means 50,000.
	SnapshotEvery int
	// MaxRetries bounds how often a live model retries an event it failed to
	// apply before it stops. Zero means 3.
	MaxRetries int
	// Logger receives progress and failures. Nil means slog.Default().
	Logger *slog.Logger
}

// Runner feeds a set of read models from a store: snapshot restore, bulk
// catch-up, then live delivery through the Watermill feed. A model that
// cannot apply an event stops and its failure names the event; it never
// skips one.
type Runner struct {
	store eventstore.Store
	reg   *domain.Registry
	views *Views
	cfg   RunnerConfig

	mu       sync.Mutex
	failures map[string]error
	router   *message.Router
	sub      *feed.Subscriber
	done     chan struct{}
}

// NewRunner returns a runner for views over store.
func NewRunner(store eventstore.Store, reg *domain.Registry, views *Views, cfg RunnerConfig) *Runner {
	if cfg.SnapshotEvery <= 0 {
		cfg.SnapshotEvery = 50_000
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 3
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Runner{store: store, reg: reg, views: views, cfg: cfg, failures: map[string]error{}}
}

// Views returns the models the runner feeds.
func (r *Runner) Views() *Views { return r.views }

// Restore loads each model's snapshot, where one matches the log. Models
// without a usable snapshot start from position zero.
func (r *Runner) Restore(ctx context.Context) {
	if r.cfg.SnapshotDir == "" {
		return
	}
	for _, m := range r.views.Models() {
		if err := LoadSnapshot(ctx, r.cfg.SnapshotDir, r.store, m); err != nil {
			r.cfg.Logger.Info("read model starts from the beginning of the log", "model", m.Name(), "reason", err)
			continue
		}
		r.cfg.Logger.Info("read model restored from snapshot", "model", m.Name(), "position", m.Position())
	}
}

// CatchUp applies, in bulk, every stored event the models have not applied,
// decoding on every core. It returns the number of events applied.
func (r *Runner) CatchUp(ctx context.Context) (int, error) {
	stats, err := replay.Run(ctx, r.store, r.reg, replay.Options{After: r.views.Position()}, r.views.Apply)
	if err != nil {
		return stats.Events, fmt.Errorf("catch up read models: %w", err)
	}
	return stats.Events, nil
}

// SnapshotAll writes every model's snapshot. Call it only while no events are
// being applied (before Start or after Close).
func (r *Runner) SnapshotAll(ctx context.Context) error {
	if r.cfg.SnapshotDir == "" {
		return nil
	}
	for _, m := range r.views.Models() {
		if err := SaveSnapshot(ctx, r.cfg.SnapshotDir, r.store, m); err != nil {
			return err
		}
	}
	return nil
}

// Start restores snapshots, catches up in bulk, snapshots when the catch-up
// was long, and then follows the log live until Close. It returns once the
// live handlers are running.
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

// checkpoints reads each model's own position: a model's checkpoint is what
// it has applied, so it can never run ahead of the model.
type checkpoints struct{ views *Views }

func (c checkpoints) Load(_ context.Context, name string) (uint64, error) {
	for _, m := range c.views.Models() {
		if m.Name() == name {
			return m.Position(), nil
		}
	}
	return 0, fmt.Errorf("no read model named %q", name)
}

func (c checkpoints) Save(context.Context, string, uint64) error { return nil }

func (r *Runner) startLive() error {
	// Watermill reports every handler start and stop at info level; those
	// are debug details for the ledger's operators.
	logger := watermill.NewSlogLoggerWithLevelMapping(r.cfg.Logger, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
	sub, err := feed.NewSubscriber(r.store, feed.Config{Checkpoints: checkpoints{r.views}, Logger: logger})
	if err != nil {
		return err
	}
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 10 * time.Second}, logger)
	if err != nil {
		return err
	}
	for _, m := range r.views.Models() {
		h := router.AddConsumerHandler(m.Name(), m.Name(), sub, r.handler(m))
		retry := middleware.Retry{MaxRetries: r.cfg.MaxRetries, InitialInterval: 10 * time.Millisecond, MaxInterval: time.Second, Multiplier: 2}
		h.AddMiddleware(r.stopOnFailure(m, h), retry.Middleware, middleware.Recoverer)
	}
	r.mu.Lock()
	r.router, r.sub, r.done = router, sub, make(chan struct{})
	r.mu.Unlock()
	go func() {
		defer close(r.done)
		if err := router.Run(context.Background()); err != nil {
			r.cfg.Logger.Error("read model router stopped", "err", err)
		}
	}()
	<-router.Running()
	return nil
}

// handler applies one delivered event to one model, snapshotting now and
// then. Events the bulk catch-up already applied are acknowledged untouched.
func (r *Runner) handler(m Model) message.NoPublishHandlerFunc {
	applied := 0
	return func(msg *message.Message) error {
		e, ok := feed.EventFrom(msg)
		if !ok {
			return errors.New("message carries no ledger event")
		}
		if e.Position <= m.Position() {
			return nil
		}
		data, err := r.reg.Decode(e)
		if err != nil {
			return fmt.Errorf("position %d: %w", e.Position, err)
		}
		if err := m.Apply(e, data); err != nil {
			return fmt.Errorf("apply %s at position %d (stream %s, version %d): %w", e.Type, e.Position, e.Stream, e.Version, err)
		}
		applied++
		if r.cfg.SnapshotDir != "" && applied >= r.cfg.SnapshotEvery {
			applied = 0
			if err := SaveSnapshot(msg.Context(), r.cfg.SnapshotDir, r.store, m); err != nil {
				r.cfg.Logger.Warn("snapshot failed; the model will catch up from an older one", "model", m.Name(), "err", err)
			}
		}
		return nil
	}
}

// stopOnFailure records a model's failure once its retries are spent and
// stops its handler. The event is not acknowledged, so the checkpoint stays
// before it.
func (r *Runner) stopOnFailure(m Model, h *message.Handler) message.HandlerMiddleware {
	return func(next message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := next(msg)
			if err != nil && msg.Context().Err() == nil && !errors.Is(err, context.Canceled) {
				r.mu.Lock()
				if r.failures[m.Name()] == nil {
					r.failures[m.Name()] = fmt.Errorf("read model %s stopped: %w", m.Name(), err)
					r.cfg.Logger.Error("read model stopped", "model", m.Name(), "err", err)
					go h.Stop()
				}
				r.mu.Unlock()
			}
			return out, err
		}
	}
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

// WaitFor blocks until every model has applied the event at pos, a model
// fails, or ctx ends. A mutation calls it to read its own write.
func (r *Runner) WaitFor(ctx context.Context, pos uint64) error {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		if r.views.Position() >= pos {
			return nil
		}
		if err := r.Failure(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for read models to reach position %d (at %d): %w", pos, r.views.Position(), ctx.Err())
		case <-tick.C:
		}
	}
}

// Close stops live delivery and writes final snapshots.
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
