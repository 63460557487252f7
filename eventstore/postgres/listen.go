package postgres

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"taskledger/eventstore"
)

// listener keeps the highest head position the store has heard of and
// wakes waiters when it grows.
type listener struct {
	mu      sync.Mutex
	head    uint64
	changed chan struct{} // closed and replaced whenever head grows
}

func newListener() *listener { return &listener{changed: make(chan struct{})} }

// publish records a head position; a lower one (an old notification) is
// ignored.
func (l *listener) publish(head uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if head > l.head {
		l.head = head
		close(l.changed)
		l.changed = make(chan struct{})
	}
}

func (l *listener) state() (uint64, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.head, l.changed
}

// WaitForAppend implements eventstore.Store. The first call starts the
// store's one listening connection; every waiter is woken from it.
func (s *Store) WaitForAppend(ctx context.Context, after uint64) error {
	if err := s.enter(); err != nil {
		return err
	}
	s.lisOnce.Do(s.startListener)
	lis := s.lis
	s.leave()
	for {
		head, changed := lis.state()
		if head > after {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return eventstore.ErrClosed
		case <-changed:
		}
	}
}

// startListener runs the listening goroutine until Close. The caller holds
// the read lock, so Close cannot run meanwhile.
func (s *Store) startListener() {
	ctx, cancel := context.WithCancel(context.Background())
	s.lis = newListener()
	s.stopLis = cancel
	go s.listen(ctx)
}

// ListenerName is the application_name of a store's listening connection
// (as pg_stat_activity shows it): "taskledger listener " and the schema,
// cut to PostgreSQL's 63 bytes.
func ListenerName(schema string) string {
	name := "taskledger listener " + schema
	if len(name) > 63 {
		name = name[:63]
	}
	return name
}

// Reconnect delays of the listening connection.
const (
	firstRetry = 100 * time.Millisecond
	maxRetry   = 5 * time.Second
)

// listen keeps one connection listening on the ledger's channel,
// reconnecting after a loss with a growing delay.
func (s *Store) listen(ctx context.Context) {
	defer close(s.lisDone)
	delay := firstRetry
	for {
		connected, err := s.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if connected {
			delay = firstRetry
		}
		s.log.Warn("postgres: the listening connection failed; reconnecting", "schema", s.n.schema, "in", delay, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, maxRetry)
	}
}

// listenOnce connects, listens, reads the head (so what committed before
// LISTEN took effect is not missed) and then publishes every notification
// until the connection fails. connected reports whether LISTEN succeeded.
func (s *Store) listenOnce(ctx context.Context) (connected bool, err error) {
	cfg := s.connCfg.Copy()
	delete(cfg.RuntimeParams, "default_transaction_read_only")
	cfg.RuntimeParams["application_name"] = ListenerName(s.n.schema)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.n.channel}.Sanitize()); err != nil {
		return false, fmt.Errorf("listen: %w", err)
	}
	var head int64
	if err := conn.QueryRow(ctx, "SELECT position FROM "+s.n.head).Scan(&head); err != nil {
		return true, fmt.Errorf("read the head: %w", err)
	}
	s.lis.publish(uint64(head))
	for {
		note, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, fmt.Errorf("wait for a notification: %w", err)
		}
		if pos, err := strconv.ParseUint(note.Payload, 10, 64); err == nil {
			s.lis.publish(pos)
		}
	}
}
