package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/eventstore/postgres"
	"taskledger/eventstore/postgres/pgtest"
)

// countyNames are Chifeng's county-level units; the replica test's writers
// use the first four whose obligation in the simulated year is still open.
var countyNames = []string{"宁城县", "红山区", "元宝山区", "松山区", "阿鲁科尔沁旗", "巴林左旗", "巴林右旗", "林西县", "克什克腾旗", "翁牛特旗", "喀喇沁旗", "敖汉旗"}

// startReplica starts taskledger serve's server over the PostgreSQL ledger
// in-process and returns its URL; each replica has its own store
// connections, listener and read models.
func startReplica(t *testing.T, store string) string {
	t.Helper()
	a := testCLI(nil)
	a.stdout, a.stderr = io.Discard, io.Discard
	s, err := startServe(context.Background(), a, serveOptions{store: store, addr: "127.0.0.1:0", cacheTTL: -1}, planText{}, mustExist)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		if err := s.close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return ts.URL
}

// gql posts a GraphQL operation and decodes data and errors.
func gql(url, token, query string, vars map[string]any) (map[string]any, []map[string]any, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any   `json:"data"`
		Errors []map[string]any `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, nil, fmt.Errorf("status %d: %w", resp.StatusCode, err)
	}
	return out.Data, out.Errors, nil
}

const reportMutation = `mutation($k: String!, $n: String!, $p: Int!) {
  reportProgress(input: {obligation: {task: 3, role: IMPLEMENTING}, percent: $p, note: $n, idempotencyKey: $k, wait: true}) { userErrors { code field message messageEn messageCode }
    position duplicate caughtUp events { id } } }`

// acked is one acknowledged mutation.
type acked struct {
	key      string
	position uint64
	ids      []string
}

// report sends one progress report through url until it is acknowledged,
// retrying with the same idempotency key when the API reports a
// concurrency conflict (CONFLICT) clearly.
func report(url, token, key, note string, percent int) (acked, int, error) {
	conflicts := 0
	for {
		data, errs, err := gql(url, token, reportMutation, map[string]any{"k": key, "n": note, "p": percent})
		if err != nil {
			return acked{}, conflicts, err
		}
		// A refusal of the input (a CONFLICT among them) is a user error
		// in the payload.
		payload, _ := data["reportProgress"].(map[string]any)
		if ue, _ := payload["userErrors"].([]any); len(errs) == 0 && len(ue) > 0 {
			u, _ := ue[0].(map[string]any)
			errs = []map[string]any{{"message": u["messageEn"], "extensions": map[string]any{"code": u["code"], "messageCode": u["messageCode"]}}}
		}
		if len(errs) > 0 {
			ext, _ := errs[0]["extensions"].(map[string]any)
			if ext["code"] == "CONFLICT" && ext["messageCode"] == "ledger.contention" && conflicts < 20 {
				conflicts++
				continue
			}
			return acked{}, conflicts, fmt.Errorf("%s: %v", key, errs)
		}
		r := data["reportProgress"].(map[string]any)
		if r["caughtUp"] != true {
			return acked{}, conflicts, fmt.Errorf("%s: the replica's read models did not reach position %v", key, r["position"])
		}
		a := acked{key: key, position: uint64(r["position"].(float64))}
		for _, e := range r["events"].([]any) {
			a.ids = append(a.ids, e.(map[string]any)["id"].(string))
		}
		return a, conflicts, nil
	}
}

// Three replicas of serve over one PostgreSQL ledger and 32 writers through
// them: nothing is lost, nothing doubled, and every replica ends with the
// same head and gives the same obligations and scorecards.
func TestThreeReplicasOverPostgres(t *testing.T) {
	chdirRepo(t)
	t.Setenv(stateEnv, t.TempDir()) // the replicas share tokens, as behind a load balancer
	pg := pgtest.URL(t)
	mustRun(t, "demo", "--store", pg, "--plan-file", writeFile(t, "plan.txt", tinyPlan))
	var county []string // tokens of counties that can still report
	tokens := map[string]string{}
	for _, unit := range countyNames {
		tokens[unit] = strings.TrimSpace(mustRun(t, "token", "create", "--role", "county", "--unit", unit, "--store", pg))
	}
	coordinator := strings.TrimSpace(mustRun(t, "token", "create", "--role", "coordinator", "--store", pg))
	committee := strings.TrimSpace(mustRun(t, "token", "create", "--role", "committee", "--store", pg))
	mustRun(t, "tick", "--store", pg)
	replicas := []string{startReplica(t, pg), startReplica(t, pg), startReplica(t, pg)}
	var acks []acked
	for i, unit := range countyNames {
		a, _, err := report(replicas[i%3], tokens[unit], "probe-"+unit, "副本写入 探查", 5)
		if err == nil {
			county, acks = append(county, tokens[unit]), append(acks, a)
		}
		if len(county) == 4 {
			break
		}
	}
	if len(county) < 4 {
		t.Fatalf("only %d counties can still report in the simulated year", len(county))
	}

	const writers, perWriter = 32, 4
	var wg sync.WaitGroup
	var mu sync.Mutex
	conflicts := 0
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			token := county[w%len(county)]
			for i := range perWriter {
				url := replicas[(w+i)%len(replicas)]
				a, c, err := report(url, token, fmt.Sprintf("replica-%d-%d", w, i), fmt.Sprintf("副本写入 %d-%d", w, i), 10+i)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acks, conflicts = append(acks, a), conflicts+c
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("%d reports acknowledged, %d conflicts reported and retried", len(acks), conflicts)

	head := checkLog(t, pg, acks, len(county)+writers*perWriter)
	views := map[string]string{}
	for i, url := range replicas {
		waitForHead(t, url, coordinator, head)
		for name, args := range map[string][]string{
			"obligations": {"obligations", "--unit", "宁城县", "--format", "json"},
			"scorecard":   {"scorecard", "--year", "2025", "--kind", "county", "--format", "json"},
		} {
			token := coordinator
			if name == "scorecard" {
				token = committee
			}
			code, out, stderr := runCLIWith(testCLI(nil), append(args, "--server", url, "--token", token)...)
			if code != 0 {
				t.Fatalf("replica %d %s: %s", i, name, stderr)
			}
			if i > 0 && out != views[name] {
				t.Fatalf("replica %d answers %s differently from replica 0:\n%s\n---\n%s", i, name, out, views[name])
			}
			views[name] = out
		}
	}
}

// checkLog reads the ledger and checks that every acknowledged report is
// there once, at its acknowledged position, and (unless want is negative)
// that the log holds want reports; it returns the head.
func checkLog(t *testing.T, pg string, acks []acked, want int) uint64 {
	t.Helper()
	ctx := context.Background()
	s, err := postgres.Open(ctx, pg, postgres.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	events, err := s.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	count := map[uuid.UUID]int{}
	pos := map[uuid.UUID]uint64{}
	reports := 0
	for _, e := range events {
		count[e.ID]++
		pos[e.ID] = e.Position
		if e.Type == "ProgressReported" && bytes.Contains(e.Payload, []byte("副本写入")) {
			reports++
		}
	}
	for _, a := range acks {
		for _, id := range a.ids {
			u := uuid.MustParse(id)
			if count[u] != 1 {
				t.Fatalf("acknowledged event %s (%s) is in the log %d times", id, a.key, count[u])
			}
		}
		if last := uuid.MustParse(a.ids[len(a.ids)-1]); pos[last] != a.position {
			t.Fatalf("%s acknowledged at %d, stored at %d", a.key, a.position, pos[last])
		}
	}
	if want >= 0 && (len(acks) != want || reports != want) {
		t.Fatalf("%d reports acknowledged and %d in the log; %d were sent", len(acks), reports, want)
	}
	return events[len(events)-1].Position
}

// waitForHead waits until a replica's read models have applied head.
func waitForHead(t *testing.T, url, token string, head uint64) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		data, errs, err := gql(url, token, `{ ledger { head viewPosition } }`, nil)
		if err != nil || len(errs) > 0 {
			t.Fatalf("ledger query: %v %v", err, errs)
		}
		l := data["ledger"].(map[string]any)
		if uint64(l["head"].(float64)) >= head && uint64(l["viewPosition"].(float64)) >= head {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica %s: read models at %v, head %v, want %d", url, l["viewPosition"], l["head"], head)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// replicaChildEnv holds the --store of TestReplicaChild, the serve replica
// TestReplicaKilledMidWrite runs as a child process and kills.
const replicaChildEnv = "TASKLEDGER_REPLICA_CHILD"

// TestReplicaChild is taskledger serve over the ledger in replicaChildEnv,
// run as a child process of TestReplicaKilledMidWrite.
func TestReplicaChild(t *testing.T) {
	store := os.Getenv(replicaChildEnv)
	if store == "" {
		t.Skip("runs only as the child process of TestReplicaKilledMidWrite")
	}
	a := &cli{stdout: os.Stdout, stderr: os.Stderr, getenv: func(string) string { return "" }, now: func() time.Time { return clock }}
	os.Exit(run(context.Background(), a, []string{"serve", "--store", store, "--addr", "127.0.0.1:0", "--response-cache", "0", "--log-level", "warn"}))
}

// startChildReplica runs TestReplicaChild and returns its process and URL.
func startChildReplica(t *testing.T, store string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestReplicaChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), replicaChildEnv+"="+store)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "GraphQL" {
				found <- strings.TrimSuffix(f[1], "/graphql")
			}
		}
		close(found)
	}()
	select {
	case url, ok := <-found:
		if !ok {
			t.Fatal("the child replica stopped before serving")
		}
		return cmd, url
	case <-time.After(30 * time.Second):
		t.Fatal("the child replica did not start serving within 30s")
	}
	return nil, ""
}

// A replica killed with SIGKILL while writers write through it loses no
// acknowledged event; the writes it never acknowledged, retried through
// another replica with the same keys, are stored exactly once.
func TestReplicaKilledMidWrite(t *testing.T) {
	if os.Getenv(replicaChildEnv) != "" {
		t.Skip("in the child")
	}
	chdirRepo(t)
	t.Setenv(stateEnv, t.TempDir())
	pg := pgtest.URL(t)
	mustRun(t, "demo", "--store", pg, "--plan-file", writeFile(t, "plan.txt", tinyPlan))
	token := strings.TrimSpace(mustRun(t, "token", "create", "--role", "county", "--unit", "宁城县", "--store", pg))
	child, victim := startChildReplica(t, pg)
	survivor := startReplica(t, pg)

	const writers = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	var acks []acked
	var unacked []string // keys whose mutation the victim never answered
	killed := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				key := fmt.Sprintf("victim-%d-%d", w, i)
				a, _, err := report(victim, token, key, "副本写入 "+key, 20)
				mu.Lock()
				if err != nil {
					unacked = append(unacked, key)
				} else {
					acks = append(acks, a)
				}
				mu.Unlock()
				if err != nil {
					select {
					case <-killed:
						return
					default:
						t.Errorf("before the kill: %v", err)
						return
					}
				}
			}
		}()
	}
	// Kill it once it has acknowledged some reports, with the writers still
	// writing: a fixed wait killed it before its first answer on a slow
	// machine.
	acked := func() int { mu.Lock(); defer mu.Unlock(); return len(acks) }
	if !waitUntil(60*time.Second, func() bool { return acked() >= 5 }) {
		t.Fatalf("the victim acknowledged %d reports in 60 s", acked())
	}
	close(killed)
	if err := child.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	wg.Wait()
	checkLog(t, pg, acks, -1)
	for _, key := range unacked {
		a, _, err := report(survivor, token, key, "副本写入 "+key, 20)
		if err != nil {
			t.Fatalf("retry %s through the survivor: %v", key, err)
		}
		acks = append(acks, a)
	}
	checkLog(t, pg, acks, len(acks))
	t.Logf("%d reports acknowledged before the kill, %d retried through the survivor", len(acks)-len(unacked), len(unacked))
}
