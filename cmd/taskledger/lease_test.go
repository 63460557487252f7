package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"taskledger/eventstore/postgres"
	"taskledger/eventstore/postgres/pgtest"
)

// Environment of TestLeaseReplicaChild: the --store, the webhook URL.
const (
	leaseChildEnv = "TASKLEDGER_LEASE_CHILD"
	leaseHookEnv  = "TASKLEDGER_LEASE_HOOK"
)

// leasePlan has three tasks, each led by one bureau and carried out by
// the twelve counties, due by the end of 2025.
const leasePlan = "测试方案\n二、重点任务\n" +
	"（三）淘汰燃煤锅炉，2025年底前完成。（赤峰市生态环境局牵头，以下均需各旗县区人民政府落实）\n" +
	"（四）整治扬尘污染，2025年底前完成。（赤峰市住房和城乡建设局牵头，以下均需各旗县区人民政府落实）\n" +
	"（五）淘汰老旧车辆，2025年底前完成。（赤峰市公安局牵头，以下均需各旗县区人民政府落实）\n"

// leaseNow is the replicas' clock: ten days after leasePlan's deadlines,
// when overdue reminders and escalations to the lead units are due.
var leaseNow = time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)

// leaseInterval is how often the replicas try for the lease.
const leaseInterval = 200 * time.Millisecond

// TestLeaseReplicaChild is taskledger serve over the ledger in
// leaseChildEnv, delivering reminders to the webhook in leaseHookEnv, run
// as a child process of TestRemindersOnceAcrossReplicas.
func TestLeaseReplicaChild(t *testing.T) {
	store := os.Getenv(leaseChildEnv)
	if store == "" {
		t.Skip("runs only as the child process of TestRemindersOnceAcrossReplicas")
	}
	env := map[string]string{notifySecretEnv: "s3cret"}
	a := &cli{stdout: os.Stdout, stderr: os.Stderr, getenv: func(k string) string { return env[k] }, now: func() time.Time { return leaseNow }}
	os.Exit(run(context.Background(), a, []string{"serve", "--store", store, "--addr", "127.0.0.1:0", "--response-cache", "0",
		"--notify-webhook", os.Getenv(leaseHookEnv), "--lease-interval", leaseInterval.String(), "--log-level", "info"}))
}

// leaseReplica is a child replica and what it logged.
type leaseReplica struct {
	cmd *exec.Cmd
	mu  sync.Mutex
	log bytes.Buffer
}

func (r *leaseReplica) logged() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.String()
}

func (r *leaseReplica) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.Write(p)
}

// startLeaseReplica runs TestLeaseReplicaChild and waits until it serves.
func startLeaseReplica(t *testing.T, store, hook string) *leaseReplica {
	t.Helper()
	r := &leaseReplica{cmd: exec.Command(os.Args[0], "-test.run=^TestLeaseReplicaChild$", "-test.count=1")}
	r.cmd.Env = append(os.Environ(), leaseChildEnv+"="+store, leaseHookEnv+"="+hook)
	r.cmd.Stderr = r
	stdout, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.cmd.Process.Kill(); _ = r.cmd.Wait() })
	serving := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(strings.TrimSpace(sc.Text()), "GraphQL") {
				serving <- true
			}
		}
		close(serving)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case ok := <-serving:
		if !ok {
			t.Fatalf("a replica stopped before serving:\n%s", r.logged())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("a replica did not serve within 60s:\n%s", r.logged())
	}
	return r
}

// slowHook is a webhook receiver that takes a while to accept each
// message, so that a replica can be killed in the middle of delivering.
// Until its gate opens it holds each message for up to gateHold, so that
// the reminders are still to deliver when every replica is up (starting
// three replicas took longer than delivering them all, on a loaded
// machine); the hold stays well inside notify.SendTimeout, so the sender
// never gives up on a message the receiver then takes.
type slowHook struct {
	hookCounter
	delay atomic.Int64 // nanoseconds
	gate  chan struct{}
}

// gateHold is how long a message waits for the gate at most.
const gateHold = 15 * time.Second

func (h *slowHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case <-h.gate:
	case <-time.After(gateHold):
	}
	time.Sleep(time.Duration(h.delay.Load()))
	h.hookCounter.ServeHTTP(w, r)
}

// counts returns the distinct ids received and the ids received more
// than once.
func (h *slowHook) counts() (int, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var twice []string
	for id, n := range h.got {
		if n > 1 {
			twice = append(twice, fmt.Sprintf("%s×%d", id, n))
		}
	}
	return len(h.got), twice
}

// leaderPID returns the process id of the replica holding the ledger's
// background lease, 0 when none holds it.
func leaderPID(t *testing.T, base, schema string) int {
	t.Helper()
	key := postgres.LeaseKey(schema, "background")
	return int(pgtest.Query[int64](t, base, `SELECT COALESCE(max(substring(a.application_name from '\(pid ([0-9]+),')::bigint), 0)
		FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid::bigint = $1 AND l.objid::bigint = $2`,
		int64(uint64(key)>>32), int64(uint64(key)&0xffffffff)))
}

// waitUntil polls cond every 20ms for up to d.
func waitUntil(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// Three serve replicas over one PostgreSQL ledger, all with the same
// webhook: only the one holding the lease records and delivers reminders.
// The leader is killed with SIGKILL twice in the middle of delivering;
// another takes over each time, and in the end every reminder recorded has
// reached the receiver and has its delivery recorded once. A reminder can
// arrive twice only when it was in flight at a kill (the receiver got it
// but the killed replica never recorded it); it then carries the same id.
func TestRemindersOnceAcrossReplicas(t *testing.T) {
	if os.Getenv(leaseChildEnv) != "" {
		t.Skip("in the child")
	}
	t.Setenv(stateEnv, t.TempDir())
	pg := pgtest.URL(t)
	base := pgtest.Server(t)
	schema := pg[strings.Index(pg, "search_path=")+len("search_path="):]
	mustRun(t, "import", writeFile(t, "plan.txt", leasePlan), "--store", pg)

	hook := &slowHook{hookCounter: hookCounter{t: t, got: map[string]int{}}, gate: make(chan struct{})}
	hook.delay.Store(int64(40 * time.Millisecond))
	srv := httptest.NewServer(hook)
	defer srv.Close()
	replicas := map[int]*leaseReplica{}
	for range 3 {
		r := startLeaseReplica(t, pg, srv.URL)
		replicas[r.cmd.Process.Pid] = r
	}
	close(hook.gate)

	kills := 0
	for kills < 2 {
		before, _ := hook.counts()
		if !waitUntil(30*time.Second, func() bool { n, _ := hook.counts(); return n >= before+5 }) {
			t.Fatalf("no delivery progress after %d kills (%d received)", kills, before)
		}
		pid := leaderPID(t, base, schema)
		victim := replicas[pid]
		if victim == nil {
			t.Fatalf("the lease is held by pid %d, not by a replica of this test", pid)
		}
		killed := time.Now()
		if err := victim.cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		_ = victim.cmd.Wait()
		delete(replicas, pid)
		kills++
		if !waitUntil(10*time.Second, func() bool { p := leaderPID(t, base, schema); return p != 0 && p != pid }) {
			t.Fatalf("no replica took the lease over within 10s of killing the leader")
		}
		t.Logf("killed the leader (pid %d) with %d reminders received; another replica held the lease %s later",
			pid, before+5, time.Since(killed).Round(time.Millisecond))
	}

	// The last replica finishes: every reminder recorded is received and
	// its delivery recorded.
	hook.delay.Store(0)
	var reminders, delivered int
	done := waitUntil(120*time.Second, func() bool {
		received, _ := hook.counts()
		reminders = eventCount(t, pg, "ReminderRecorded")
		delivered = eventCount(t, pg, "ReminderDelivered")
		return reminders > 0 && received == reminders && delivered == reminders
	})
	received, twice := hook.counts()
	if !done {
		t.Fatalf("%d reminders recorded, %d received, %d deliveries recorded", reminders, received, delivered)
	}
	if len(twice) > kills {
		t.Fatalf("%d reminders arrived more than once with %d kills: %v", len(twice), kills, twice)
	}
	var survivor *leaseReplica
	for pid, r := range replicas {
		survivor = r
		if got := leaderPID(t, base, schema); got != pid {
			t.Fatalf("the lease is held by pid %d, the survivor is %d", got, pid)
		}
	}
	// Nothing more arrives: the standing-by replicas never sent anything.
	time.Sleep(5 * leaseInterval)
	if again, _ := hook.counts(); again != received || eventCount(t, pg, "ReminderDelivered") != reminders {
		t.Fatalf("deliveries went on after all %d were made", reminders)
	}
	for _, want := range []string{"this replica leads", "another replica leads"} {
		if !strings.Contains(survivor.logged(), want) {
			t.Fatalf("the survivor's log does not say %q:\n%s", want, survivor.logged())
		}
	}
	t.Logf("%d reminders delivered once each across %d kills of the leader; in flight at a kill and sent again: %v", reminders, kills, twice)
}

// leaderName returns the application_name of the session holding the
// ledger's background lease, "" when none holds it.
func leaderName(t *testing.T, base, schema string) string {
	t.Helper()
	key := postgres.LeaseKey(schema, "background")
	return pgtest.Query[string](t, base, `SELECT COALESCE(max(a.application_name), '')
		FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid::bigint = $1 AND l.objid::bigint = $2`,
		int64(uint64(key)>>32), int64(uint64(key)&0xffffffff))
}

// startLeaseServe starts serve's server in-process over store, trying for
// the lease every leaseInterval.
func startLeaseServe(t *testing.T, store string) *serving {
	t.Helper()
	a := testCLI(nil)
	a.stdout, a.stderr = io.Discard, io.Discard
	s, err := startServe(context.Background(), a, serveOptions{store: store, addr: "127.0.0.1:0", cacheTTL: -1, leaseEvery: leaseInterval}, planText{}, mustExist)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// closeWithin closes a serving replica, failing the test with every
// goroutine's stack when that takes more than d.
func closeWithin(t *testing.T, s *serving, d time.Duration) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.close(context.Background()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(d):
		var b strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&b, 2)
		t.Fatalf("closing a replica took more than %s:\n%s", d, b.String())
	}
}

// waitForLeader waits until the replica listening on addr holds the lease.
func waitForLeader(t *testing.T, base, schema, addr string) {
	t.Helper()
	if !waitUntil(10*time.Second, func() bool { return strings.Contains(leaderName(t, base, schema), addr) }) {
		t.Fatalf("the replica at %s did not take the lease within 10s; %q holds it", addr, leaderName(t, base, schema))
	}
}

// In-process replicas over one PostgreSQL ledger: the first leads, the
// second stands by until the first's store closes and then takes over; a replica standing by stops at once; when the last stops, nobody
// holds the lease.
func TestLeaseHandsOverWhenTheLeaderStops(t *testing.T) {
	t.Setenv(stateEnv, t.TempDir())
	pg := pgtest.URL(t)
	base := pgtest.Server(t)
	schema := pg[strings.Index(pg, "search_path=")+len("search_path="):]
	mustRun(t, "import", writeFile(t, "plan.txt", tinyPlan), "--store", pg)
	a := startLeaseServe(t, pg)
	waitForLeader(t, base, schema, a.ln.Addr().String())
	b := startLeaseServe(t, pg)
	time.Sleep(3 * leaseInterval)
	if got := leaderName(t, base, schema); !strings.Contains(got, a.ln.Addr().String()) {
		t.Fatalf("with a second replica up, %q holds the lease", got)
	}
	// The leader's store closes under it (as when its database connection
	// goes): its lease ends, its background work stops, b takes over.
	if err := a.l.store.Close(); err != nil {
		t.Fatal(err)
	}
	waitForLeader(t, base, schema, b.ln.Addr().String())
	closeWithin(t, a, 20*time.Second)
	c := startLeaseServe(t, pg)
	time.Sleep(2 * leaseInterval)
	closeWithin(t, c, 20*time.Second) // standing by
	closeWithin(t, b, 20*time.Second) // leading
	if got := leaderName(t, base, schema); got != "" {
		t.Fatalf("after every replica stopped, %q holds the lease", got)
	}
}
