package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"taskledger/notify"
)

// hookCounter is a webhook receiver that checks signatures and counts
// messages by id.
type hookCounter struct {
	t   *testing.T
	mu  sync.Mutex
	got map[string]int
}

func (h *hookCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !notify.Verify([]byte("s3cret"), body, r.Header.Get(notify.SignatureHeader)) {
		h.t.Errorf("bad signature on %s", r.Header.Get(notify.IDHeader))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	h.mu.Lock()
	h.got[r.Header.Get(notify.IDHeader)]++
	h.mu.Unlock()
}

func (h *hookCounter) distinct() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.got)
}

// serveUntil runs serve with args at now until stop reports true, then
// stops it and returns its exit code.
func serveUntil(t *testing.T, now time.Time, env map[string]string, stop func() bool, args ...string) int {
	t.Helper()
	out, w := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := &cli{stdout: w, stderr: io.Discard, getenv: func(k string) string { return env[k] }, now: func() time.Time { return now }}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, a, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))
		w.Close()
	}()
	go io.Copy(io.Discard, bufio.NewReader(out))
	deadline := time.Now().Add(30 * time.Second)
	for !stop() {
		select {
		case code := <-done:
			return code
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatal("timed out waiting for deliveries")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	return <-done
}

// eventCount reads one event type's count from status.
func eventCount(t *testing.T, store, typ string) int {
	t.Helper()
	code, out, stderr := runCLI(t, clock, "status", "--store", store)
	if code != 0 {
		t.Fatalf("status: exit %d\n%s", code, stderr)
	}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == typ {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// serve's deadline watcher records reminders and --notify-webhook delivers
// them, signed: a server stopped in the middle records every delivery the
// receiver accepted, and the next start sends the rest, each exactly once.
func TestServeDeliversRemindersToTheWebhook(t *testing.T) {
	store := importedLedger(t)
	hook := &hookCounter{t: t, got: map[string]int{}}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	now := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	env := map[string]string{notifySecretEnv: "s3cret"}
	if code := serveUntil(t, now, nil, func() bool { return false }, "--store", store, "--notify-webhook", srv.URL); code != 2 {
		t.Fatalf("--notify-webhook without %s: exit %d, want 2", notifySecretEnv, code)
	}
	if code := serveUntil(t, now, env, func() bool { return hook.distinct() >= 3 }, "--store", store, "--notify-webhook", srv.URL); code != 0 {
		t.Fatalf("serve: exit %d", code)
	}
	if delivered := eventCount(t, store, "ReminderDelivered"); delivered != hook.distinct() {
		t.Fatalf("after a stop: %d deliveries recorded, %d received", delivered, hook.distinct())
	}
	// The stop may have cut the watcher's first tick short: finish it, so
	// that the next start only delivers.
	if code, out, stderr := runCLI(t, now, "tick", "--store", store); code != 0 {
		t.Fatalf("tick: exit %d\n%s\n%s", code, out, stderr)
	}
	reminders := eventCount(t, store, "ReminderRecorded")
	if reminders <= hook.distinct() {
		t.Fatalf("%d reminders, %d already delivered: nothing left for the restart", reminders, hook.distinct())
	}
	if code := serveUntil(t, now, env, func() bool { return hook.distinct() == reminders }, "--store", store, "--notify-webhook", srv.URL); code != 0 {
		t.Fatalf("serve again: exit %d", code)
	}
	hook.mu.Lock()
	for id, n := range hook.got {
		if n != 1 {
			t.Errorf("reminder %s arrived %d times", id, n)
		}
	}
	hook.mu.Unlock()
	if got := eventCount(t, store, "ReminderDelivered"); got != reminders || eventCount(t, store, "ReminderRecorded") != reminders {
		t.Fatalf("%d deliveries recorded for %d reminders", got, reminders)
	}
}
