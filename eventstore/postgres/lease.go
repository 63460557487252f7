package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"taskledger/eventstore"
)

var _ eventstore.Leaser = (*Store)(nil)

// leaseTimeout bounds taking, checking and giving up a lease.
const leaseTimeout = 10 * time.Second

// LeaseKey returns the advisory lock key of the lease named name on the
// ledger in schema: a hash of both, so that ledgers in other schemas of the
// same database have leases of their own.
func LeaseKey(schema, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("taskledger lease\x00" + schema + "\x00" + name))
	return int64(h.Sum64())
}

// LeaseName is the application_name of a lease's connection (as
// pg_stat_activity shows it): "taskledger lease ", the lease's name and its
// holder, cut to PostgreSQL's 63 bytes.
func LeaseName(name, holder string) string {
	s := "taskledger lease " + name + " " + holder
	if len(s) > 63 {
		s = s[:63]
	}
	return s
}

// TryLease implements eventstore.Leaser with a session-level advisory lock
// (pg_try_advisory_lock on LeaseKey) held on a connection of its own. The
// holder checks every req.Check that the connection is alive and still
// holds the lock; a failed check, the connection's loss or the store's
// Close ends the lease. PostgreSQL frees the lock when the holder's
// session ends, including when its process is killed, so another replica
// can take it at its next try.
func (s *Store) TryLease(ctx context.Context, req eventstore.LeaseRequest) (eventstore.Lease, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if req.Check <= 0 {
		req.Check = eventstore.DefaultLeaseCheck
	}
	key := LeaseKey(s.n.schema, req.Name)
	cfg := s.connCfg.Copy()
	cfg.RuntimeParams["application_name"] = LeaseName(req.Name, req.Holder)
	ctx, cancel := context.WithTimeout(ctx, leaseTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: lease %q: connect: %w", req.Name, err)
	}
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil {
		_ = conn.Close(context.Background())
		return nil, fmt.Errorf("postgres: lease %q: %w", req.Name, err)
	}
	if !got {
		holder := leaseHolder(ctx, conn, key)
		_ = conn.Close(context.Background())
		return nil, &eventstore.LeaseHeldError{Name: req.Name, Holder: holder}
	}
	l := &pgLease{s: s, conn: conn, key: key, check: req.Check, lost: make(chan struct{}), stop: make(chan struct{})}
	s.leaseMu.Lock()
	if s.leases == nil {
		s.leases = map[*pgLease]struct{}{}
	}
	s.leases[l] = struct{}{}
	s.leaseMu.Unlock()
	go l.watch()
	return l, nil
}

// leaseHolder names the holder of the lock key from its session's
// application_name; empty when it cannot tell.
func leaseHolder(ctx context.Context, conn *pgx.Conn, key int64) string {
	var name string
	err := conn.QueryRow(ctx, `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		AND l.classid::bigint = $1 AND l.objid::bigint = $2 LIMIT 1`, int64(uint64(key)>>32), int64(uint64(key)&0xffffffff)).Scan(&name)
	if err != nil {
		return ""
	}
	return name
}

// pgLease is a lease held by a session-level advisory lock.
type pgLease struct {
	s     *Store
	conn  *pgx.Conn
	key   int64
	check time.Duration

	once    sync.Once
	stop    chan struct{} // closed by Release
	lost    chan struct{} // closed when watch returns
	release error
}

func (l *pgLease) Lost() <-chan struct{} { return l.lost }

// watch checks the lease every l.check until a check fails or Release;
// then it unlocks (when the connection still works) and closes the
// connection.
func (l *pgLease) watch() {
	defer close(l.lost)
	t := time.NewTicker(l.check)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			l.release = l.unlock()
			return
		case <-t.C:
		}
		if err := l.held(); err != nil {
			l.s.log.Warn("postgres: lease lost", "schema", l.s.n.schema, "err", err)
			_ = l.conn.Close(context.Background())
			return
		}
	}
}

// held checks that the session is alive and still holds the lock.
func (l *pgLease) held() error {
	ctx, cancel := context.WithTimeout(context.Background(), min(l.check, leaseTimeout))
	defer cancel()
	var held bool
	err := l.conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND pid = pg_backend_pid() AND objsubid = 1 AND classid::bigint = $1 AND objid::bigint = $2)`,
		int64(uint64(l.key)>>32), int64(uint64(l.key)&0xffffffff)).Scan(&held)
	switch {
	case err != nil:
		return fmt.Errorf("check: %w", err)
	case !held:
		return errors.New("the session no longer holds the lock")
	}
	return nil
}

// unlock gives the lock up and closes the connection.
func (l *pgLease) unlock() error {
	ctx, cancel := context.WithTimeout(context.Background(), leaseTimeout)
	defer cancel()
	_, err := l.conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", l.key)
	// Closing the session frees the lock even when the unlock failed.
	return errors.Join(err, l.conn.Close(ctx))
}

// Release implements eventstore.Lease.
func (l *pgLease) Release() error {
	l.once.Do(func() { close(l.stop) })
	<-l.lost
	l.s.leaseMu.Lock()
	delete(l.s.leases, l)
	l.s.leaseMu.Unlock()
	return l.release
}

// releaseLeases releases every lease of the store; Close calls it.
func (s *Store) releaseLeases() {
	s.leaseMu.Lock()
	leases := make([]*pgLease, 0, len(s.leases))
	for l := range s.leases {
		leases = append(leases, l)
	}
	s.leaseMu.Unlock()
	for _, l := range leases {
		_ = l.Release()
	}
}
