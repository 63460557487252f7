// Package leader runs a replica's background work — the deadline watcher
// and reminder delivery — only while that replica holds the ledger's lease,
// so that several serve replicas over one store do it once between them.
// Another replica takes the lease over when the holder stops or dies.
package leader

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"taskledger/eventstore"
)

// Lease is the name of the lease serve's background work runs under.
const Lease = "background"

// DefaultEvery is how often a replica tries to take the lease, and its
// holder checks it, when Config.Every is zero.
const DefaultEvery = 5 * time.Second

// Config says which lease to run under and who asks.
type Config struct {
	// Store is the ledger; a store that is not an eventstore.Leaser
	// cannot elect a leader, so the work simply runs (one replica only).
	Store eventstore.Store
	// Name names the lease; empty means Lease.
	Name string
	// Holder names this replica in other replicas' logs.
	Holder string
	// Every is how often to try for the lease and to check it; zero means
	// DefaultEvery.
	Every time.Duration
	// Logger receives who leads; nil means slog.Default().
	Logger *slog.Logger
}

// Work is background work: it runs until its context ends, then returns.
type Work func(ctx context.Context)

// Run runs work while this replica holds the lease, until ctx ends: it
// tries for the lease every cfg.Every, runs work once it holds it, stops
// work (cancelling its context and waiting for it to return) when the
// lease is lost, and tries again. Every wait honours ctx; on return the
// work has stopped and the lease is released.
func Run(ctx context.Context, cfg Config, work Work) {
	if cfg.Name == "" {
		cfg.Name = Lease
	}
	if cfg.Every <= 0 {
		cfg.Every = DefaultEvery
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	log := cfg.Logger.With("lease", cfg.Name, "replica", cfg.Holder)
	leaser, ok := cfg.Store.(eventstore.Leaser)
	if !ok {
		log.Warn("这种存储不能在副本之间选出主副本，本副本直接运行后台任务，请只运行一个副本 / this store cannot elect a leader among replicas: this replica runs the background work; run only one")
		work(ctx)
		return
	}
	req := eventstore.LeaseRequest{Name: cfg.Name, Holder: cfg.Holder, Check: cfg.Every}
	standing, leader := false, ""
	for ctx.Err() == nil {
		lease, err := leaser.TryLease(ctx, req)
		var held *eventstore.LeaseHeldError
		switch {
		case err == nil:
			log.Info("本副本取得租约，开始运行截止检查和催办发送 / this replica leads: it runs the deadline watcher and reminder delivery")
			lead(ctx, lease, work, log)
			standing = false
		case errors.As(err, &held):
			if !standing || held.Holder != leader {
				log.Info("另一个副本持有租约，本副本待命 / another replica leads; this one stands by", "leader", held.Holder)
				standing, leader = true, held.Holder
			}
		case errors.Is(err, eventstore.ErrClosed):
			return
		case ctx.Err() == nil:
			log.Warn("无法取得租约，稍后重试 / cannot take the lease; trying again", "err", err, "in", cfg.Every)
		}
		sleep(ctx, cfg.Every)
	}
}

// lead runs work under lease until the lease is lost, work returns or ctx
// ends, and releases the lease.
func lead(ctx context.Context, lease eventstore.Lease, work Work, log *slog.Logger) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		work(wctx)
	}()
	select {
	case <-lease.Lost():
		log.Warn("本副本失去租约，停止后台任务 / this replica lost the lease: its background work stops")
	case <-ctx.Done():
	case <-done:
	}
	cancel()
	<-done
	if err := lease.Release(); err != nil {
		log.Warn("释放租约失败 / releasing the lease failed", "err", err)
	}
	if ctx.Err() != nil {
		log.Info("本副本停止，已交出租约 / this replica stops and gives up the lease")
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
