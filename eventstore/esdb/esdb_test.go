package esdb_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/esdb"
	"taskledger/eventstore/esdb/esdbtest"
	"taskledger/eventstore/storetest"
)

// quiet keeps reconnect notices out of test output.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// openDouble opens a store over a fresh test double (not EventStoreDB).
func openDouble(t *testing.T, opts ...esdbtest.Option) (*esdb.Store, *esdbtest.Server) {
	t.Helper()
	srv := esdbtest.Start(t, opts...)
	s, err := esdb.Open(srv.URL(), esdb.Options{PollInterval: 10 * time.Millisecond, ReadPage: 64, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return s, srv
}

// TestContractAgainstDouble runs the whole contract suite over the client
// and real gRPC, against the in-process test double.
func TestContractAgainstDouble(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		s, _ := openDouble(t)
		return s
	})
}

// TestContractAgainstEventStoreDB runs the same suite against a real server
// when EVENTSTORE_URL names one (e.g. esdb://localhost:2113?tls=false).
// Each subtest uses its own stream prefix, so a shared server works.
func TestContractAgainstEventStoreDB(t *testing.T) {
	url := os.Getenv("EVENTSTORE_URL")
	if url == "" {
		t.Skip("EVENTSTORE_URL is not set: no EventStoreDB server to test against")
	}
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		s, err := esdb.Open(url, esdb.Options{Prefix: "tltest" + randomHex(6) + ".", PollInterval: 20 * time.Millisecond, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func TestPrefixIsolatesLedgers(t *testing.T) {
	srv := esdbtest.Start(t)
	ctx := context.Background()
	a, err := esdb.Open(srv.URL(), esdb.Options{Prefix: "a.", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := esdb.Open(srv.URL(), esdb.Options{Prefix: "b.", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.Append(ctx, "plan-x", eventstore.NoStream(), []domain.Event{storetest.NewEvent("PlanRegistered", "a")}); err != nil {
		t.Fatal(err)
	}
	res, err := b.Append(ctx, "plan-x", eventstore.NoStream(), []domain.Event{storetest.NewEvent("PlanRegistered", "b")})
	if err != nil {
		t.Fatalf("the same stream name under another prefix: %v", err)
	}
	all, err := b.ReadAll(ctx, 0, 0)
	if err != nil || len(all) != 1 || all[0].ID != res.Events[0].ID || all[0].Stream != "plan-x" {
		t.Fatalf("b sees %d events (%v), want its own one", len(all), err)
	}
	if head, _ := b.Head(ctx); head != res.Position {
		t.Fatalf("b's head %d, want %d", head, res.Position)
	}
}

func TestErrorMapping(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		code codes.Code
		want error
	}{
		{codes.Unavailable, esdb.ErrUnavailable},
		{codes.PermissionDenied, esdb.ErrAccessDenied},
		{codes.Unauthenticated, esdb.ErrAccessDenied},
		{codes.DeadlineExceeded, context.DeadlineExceeded},
		{codes.NotFound, eventstore.ErrStreamNotFound},
	}
	for _, c := range cases {
		t.Run(c.code.String(), func(t *testing.T) {
			s, srv := openDouble(t)
			defer s.Close()
			if _, err := s.Head(ctx); err != nil { // connect first
				t.Fatal(err)
			}
			for _, op := range []struct {
				name string
				run  func() error
			}{
				{"Append", func() error {
					_, err := s.Append(ctx, "m", eventstore.Any(), []domain.Event{storetest.NewEvent("T", "x")})
					return err
				}},
				{"ReadStream", func() error { _, err := s.ReadStream(ctx, "m", eventstore.Forwards, 0, 0); return err }},
				{"ReadAll", func() error { _, err := s.ReadAll(ctx, 0, 0); return err }},
			} {
				srv.FailNextCode(c.code)
				err := op.run()
				if !errors.Is(err, c.want) {
					t.Fatalf("%s with the server failing %s: %v, want %v", op.name, c.code, err, c.want)
				}
				// The client's own error (an *esdb.Error, or the raw gRPC
				// status on the paths where the client returns one) stays
				// reachable beside the port's.
				var ce *client.Error
				var gs interface{ GRPCStatus() *status.Status }
				if !errors.As(err, &ce) && !errors.As(err, &gs) {
					t.Fatalf("%s: the client's error is lost in %v", op.name, err)
				}
			}
		})
	}
	t.Run("WrongExpectedVersion", func(t *testing.T) {
		s, _ := openDouble(t)
		defer s.Close()
		if _, err := s.Append(ctx, "w", eventstore.NoStream(), []domain.Event{storetest.NewEvent("T", "1")}); err != nil {
			t.Fatal(err)
		}
		_, err := s.Append(ctx, "w", eventstore.NoStream(), []domain.Event{storetest.NewEvent("T", "2")})
		var wrong *eventstore.WrongExpectedVersionError
		if !errors.As(err, &wrong) || wrong.Actual != 1 {
			t.Fatalf("err %v, want WrongExpectedVersionError at 1", err)
		}
	})
	t.Run("AppendRefusedBeforeRequestRead", func(t *testing.T) {
		// A server that refuses an append up front ends the call while the
		// client is still sending; the client reports io.EOF, not the
		// status. The store reports ErrUnavailable (outcome unknown, retry).
		s, srv := openDouble(t)
		defer s.Close()
		if _, err := s.Head(ctx); err != nil {
			t.Fatal(err)
		}
		srv.FailNextAppendEarly()
		_, err := s.Append(ctx, "e", eventstore.Any(), []domain.Event{storetest.NewEvent("T", "x")})
		if err == nil {
			t.Fatal("append accepted")
		}
		if !errors.Is(err, esdb.ErrUnavailable) && !errors.Is(err, esdb.ErrAccessDenied) {
			t.Fatalf("err %v, want ErrUnavailable (status lost) or ErrAccessDenied", err)
		}
		// A retry goes through.
		if _, err := s.Append(ctx, "e", eventstore.Any(), []domain.Event{storetest.NewEvent("T", "y")}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ContextCanceled", func(t *testing.T) {
		s, _ := openDouble(t)
		defer s.Close()
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.ReadAll(cctx, 0, 0); !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v, want context.Canceled", err)
		}
	})
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// TestClientClosedAfterFailedFirstConnection shows the client trap: a client
// whose first discovery fails shuts itself down for good, even once the
// server is up.
func TestClientClosedAfterFailedFirstConnection(t *testing.T) {
	addr := freeAddr(t)
	cfg, err := client.ParseConnectionString("esdb://" + addr + "?tls=false&maxDiscoverAttempts=1&discoveryInterval=10&gossipTimeout=1")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = client.NoopLogging()
	c, err := client.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, err := c.ReadAll(ctx, client.ReadAllOptions{}, 1); err == nil {
		t.Fatal("read with no server succeeded")
	}
	srv, err := esdbtest.Listen(addr)
	if err != nil {
		t.Skipf("cannot reuse %s for the server: %v", addr, err)
	}
	defer srv.Stop()
	_, err = c.ReadAll(ctx, client.ReadAllOptions{}, 1)
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Code() != client.ErrorCodeConnectionClosed {
		t.Fatalf("the client recovered by itself (%v); the store's recreate logic may be unnecessary", err)
	}
}

// TestStoreRecreatesClient: the store makes a new client after the first
// connection failed, so it works once the server is up.
func TestStoreRecreatesClient(t *testing.T) {
	addr := freeAddr(t)
	s, err := esdb.Open("esdb://"+addr+"?tls=false&maxDiscoverAttempts=1&discoveryInterval=10&gossipTimeout=1", esdb.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	_, err = s.Head(ctx)
	if !errors.Is(err, esdb.ErrUnavailable) {
		t.Fatalf("head with no server: %v, want ErrUnavailable", err)
	}
	srv, err := esdbtest.Listen(addr)
	if err != nil {
		t.Skipf("cannot reuse %s for the server: %v", addr, err)
	}
	defer srv.Stop()
	res, err := s.Append(ctx, "r", eventstore.NoStream(), []domain.Event{storetest.NewEvent("T", "after")})
	if err != nil {
		t.Fatalf("append once the server is up: %v", err)
	}
	if head, err := s.Head(ctx); err != nil || head != res.Position {
		t.Fatalf("head %d (%v), want %d", head, err, res.Position)
	}
}

// TestStoreRecreatesClientAfterLostServer: a server that goes away and comes
// back (same address) after the client had connected.
func TestStoreRecreatesClientAfterLostServer(t *testing.T) {
	srv, err := esdbtest.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr()
	s, err := esdb.Open("esdb://"+addr+"?tls=false&maxDiscoverAttempts=1&discoveryInterval=10&gossipTimeout=1", esdb.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Append(ctx, "l", eventstore.Any(), []domain.Event{storetest.NewEvent("T", "1")}); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	// Calls fail while it is down (the client rediscovers, fails, and
	// shuts itself down)…
	for i := 0; i < 3; i++ {
		if _, err := s.Head(ctx); err == nil {
			t.Fatal("head with the server down succeeded")
		}
	}
	srv2, err := esdbtest.Listen(addr)
	if err != nil {
		t.Skipf("cannot reuse %s: %v", addr, err)
	}
	defer srv2.Stop()
	// …and work again once it is back (an empty double: a new node).
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := s.Append(ctx, "l", eventstore.Any(), []domain.Event{storetest.NewEvent("T", "2")})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("store did not recover: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestClusterDiscoveryThroughGossip(t *testing.T) {
	srv := esdbtest.Start(t)
	// Two seeds: the client reads gossip, then connects to the leader.
	s, err := esdb.Open("esdb://"+srv.Addr()+","+srv.Addr()+"?tls=false", esdb.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Append(context.Background(), "g", eventstore.NoStream(), []domain.Event{storetest.NewEvent("T", "g")}); err != nil {
		t.Fatal(err)
	}
}

func TestRefusesReservedStreamNames(t *testing.T) {
	s, _ := openDouble(t)
	defer s.Close()
	for _, name := range []string{"$all", "$ce-plan", "~id-123"} {
		if _, err := s.Append(context.Background(), name, eventstore.Any(), []domain.Event{storetest.NewEvent("T", "x")}); err == nil {
			t.Fatalf("append to %s accepted", name)
		}
	}
}

func TestRetryAfterLostResponseIsDuplicate(t *testing.T) {
	// The caller's first Append landed but the caller never learned it; the
	// retry (same IDs, same expectation) must store nothing new.
	s, _ := openDouble(t)
	defer s.Close()
	ctx := context.Background()
	evs := []domain.Event{storetest.NewEvent("T", "1"), storetest.NewEvent("T", "2")}
	first, err := s.Append(ctx, "d", eventstore.NoStream(), evs)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Append(ctx, "d", eventstore.NoStream(), evs)
	if err != nil || !again.Duplicate || again.Position != first.Position {
		t.Fatalf("retry: %+v, %v", again, err)
	}
	all, _ := s.ReadAll(ctx, 0, 0)
	if len(all) != 2 {
		t.Fatalf("log has %d events, want 2", len(all))
	}
}

// TestStreamReadsWithoutPositions: servers before 22.10 send no $all
// position on stream reads; the adapter reports 0 (unknown), never the
// server's max-uint64 placeholder, while $all reads keep real positions.
func TestStreamReadsWithoutPositions(t *testing.T) {
	s, _ := openDouble(t, esdbtest.WithoutStreamReadPositions())
	defer s.Close()
	ctx := context.Background()
	res, err := s.Append(ctx, "p", eventstore.NoStream(), []domain.Event{storetest.NewEvent("T", "1"), storetest.NewEvent("T", "2")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Events[0].Position == 0 || res.Events[1].Position <= res.Events[0].Position {
		t.Fatalf("append result positions %d, %d", res.Events[0].Position, res.Events[1].Position)
	}
	got, err := s.ReadStream(ctx, "p", eventstore.Forwards, 0, 0)
	if err != nil || len(got) != 2 || got[0].Position != 0 || got[1].Position != 0 {
		t.Fatalf("stream read: %v, %v; want two events with position 0", got, err)
	}
	all, err := s.ReadAll(ctx, 0, 0)
	if err != nil || len(all) != 2 || all[1].Position != res.Position {
		t.Fatalf("$all read: %v, %v", all, err)
	}
}
