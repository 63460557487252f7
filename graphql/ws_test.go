package graphql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"taskledger/domain"
	"taskledger/graphql/transport"
	"taskledger/internal/ledgertest"
)

// wsMessage is a graphql-transport-ws message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsClient is a graphql-transport-ws client for tests.
type wsClient struct {
	t    *testing.T
	c    *websocket.Conn
	msgs chan wsMessage
	err  chan error
}

// pump reads messages in the background: a Read whose context expires
// closes a coder/websocket connection, so reads never time out themselves.
func (w *wsClient) pump() {
	for {
		_, b, err := w.c.Read(context.Background())
		if err != nil {
			w.err <- err
			return
		}
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			w.err <- fmt.Errorf("server sent %q: %w", b, err)
			return
		}
		w.msgs <- m
	}
}

func (e *env) dialWS(t *testing.T, header http.Header) (*wsClient, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(e.http.URL, "http") + "/graphql"
	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{Subprotocols: []string{transport.Subprotocol}, HTTPHeader: header})
	if err != nil {
		return nil, resp, err
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	w := &wsClient{t: t, c: c, msgs: make(chan wsMessage, 64), err: make(chan error, 1)}
	go w.pump()
	return w, resp, nil
}

func (w *wsClient) send(m map[string]any) {
	w.t.Helper()
	b, _ := json.Marshal(m)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.c.Write(ctx, websocket.MessageText, b); err != nil {
		w.t.Fatalf("write: %v", err)
	}
}

// errTimeout is what read returns when nothing arrived in time.
var errTimeout = errors.New("no message in time")

// read returns the next message, the close error, or errTimeout.
func (w *wsClient) read(timeout time.Duration) (wsMessage, error) {
	select {
	case m := <-w.msgs:
		return m, nil
	case err := <-w.err:
		w.err <- err
		return wsMessage{}, err
	case <-time.After(timeout):
		return wsMessage{}, errTimeout
	}
}

func (w *wsClient) expect(typ string) wsMessage {
	w.t.Helper()
	m, err := w.read(5 * time.Second)
	if err != nil {
		w.t.Fatalf("waiting for %s: %v", typ, err)
	}
	if m.Type != typ {
		w.t.Fatalf("want %s, got %s %s", typ, m.Type, m.Payload)
	}
	return m
}

func (w *wsClient) expectClose(code websocket.StatusCode) {
	w.t.Helper()
	for {
		m, err := w.read(5 * time.Second)
		if err == nil {
			w.t.Logf("message before close: %s %s", m.Type, m.Payload)
			continue
		}
		if got := websocket.CloseStatus(err); got != code {
			w.t.Fatalf("want close %d, got %v", code, err)
		}
		return
	}
}

func (w *wsClient) init(token string) {
	w.t.Helper()
	payload := map[string]any{}
	if token != "" {
		payload["authorization"] = "Bearer " + token
	}
	w.send(map[string]any{"type": "connection_init", "payload": payload})
	w.expect("connection_ack")
}

func TestWebSocketSubscriptions(t *testing.T) {
	e := newEnv(t, envOptions{})
	w, _, err := e.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.init(e.tokens["inspector"])
	w.send(map[string]any{"type": "ping"})
	w.expect("pong")

	w.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": `subscription { eventsAppended(filter: {types: ["ProgressReported"]}) { type stream position actor payload } }`,
	}})
	w.send(map[string]any{"id": "2", "type": "subscribe", "payload": map[string]any{
		"query": `subscription($u: ID) { deadlineSlipped(unit: $u) { type stream } }`, "variables": map[string]any{"u": "county.a"},
	}})
	// The subscription starts from the head when the server receives it;
	// report until the event comes through.
	var got wsMessage
	for i := 0; ; i++ {
		e.builder.Do(domain.ReportProgress{ObligationKey: countyA, ActingUnit: "county.a", Percent: domain.Percent(10 + i)}, "county")
		m, err := w.read(300 * time.Millisecond)
		if err == nil {
			got = m
			break
		}
		if !errors.Is(err, errTimeout) || i == 20 {
			t.Fatal("no event arrived")
		}
	}
	if got.Type != "next" || got.ID != "1" || !strings.Contains(string(got.Payload), `"type":"ProgressReported"`) {
		t.Fatalf("got %s %s %s", got.ID, got.Type, got.Payload)
	}
	// A deadline slip reaches the deadlineSlipped subscription (and not the
	// ProgressReported one).
	// The subscription may start after the first slip: slip fresh
	// milestones until one comes through.
	e.builder.At(ledgertest.Shanghai(2025, time.July, 2, 9))
	for i := 0; ; i++ {
		ms := domain.MilestoneID(fmt.Sprintf("late-%d", i))
		e.builder.Do(domain.ScheduleMilestone{ObligationKey: countyA, Milestone: ms, What: "补报", Due: ledgertest.Date(2025, time.June, 30)}, "office")
		e.builder.Do(domain.RecordSlip{ObligationKey: countyA, Milestone: ms}, "system")
		m, err := w.read(300 * time.Millisecond)
		for err == nil && m.ID == "1" {
			if !strings.Contains(string(m.Payload), "ProgressReported") {
				t.Fatalf("subscription 1 got %s", m.Payload)
			}
			m, err = w.read(300 * time.Millisecond)
		}
		if err == nil {
			if m.ID != "2" || m.Type != "next" || !strings.Contains(string(m.Payload), "DeadlineSlipped") {
				t.Fatalf("slip: %s %s %s", m.ID, m.Type, m.Payload)
			}
			break
		}
		if !errors.Is(err, errTimeout) || i == 20 {
			t.Fatalf("no slip arrived: %v", err)
		}
	}
	// A query over the socket: one next, then complete.
	w.send(map[string]any{"id": "3", "type": "subscribe", "payload": map[string]any{"query": `{ me { role } }`}})
	for {
		m := w.expect("next")
		if m.ID == "3" {
			if !strings.Contains(string(m.Payload), "INSPECTOR") {
				t.Fatalf("query: %s", m.Payload)
			}
			break
		}
	}
	for {
		m, err := w.read(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if m.ID == "3" && m.Type == "complete" {
			break
		}
	}
	// The client completes subscription 1; a duplicate id closes the
	// connection.
	w.send(map[string]any{"id": "1", "type": "complete"})
	w.send(map[string]any{"id": "2", "type": "subscribe", "payload": map[string]any{"query": `subscription { deadlineSlipped { id } }`}})
	w.expectClose(transport.CloseDuplicateID)
}

func TestWebSocketAuth(t *testing.T) {
	e := newEnv(t, envOptions{limits: Limits{InitTimeout: 200 * time.Millisecond}})

	// An invalid token at the upgrade is refused with 401.
	_, resp, err := e.dialWS(t, http.Header{"Authorization": {"Bearer tl_nope"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("invalid upgrade token: %v %v", err, resp)
	}
	// A valid one at the upgrade needs no token in connection_init.
	w, _, err := e.dialWS(t, http.Header{"Authorization": {"Bearer " + e.tokens["county"]}})
	if err != nil {
		t.Fatal(err)
	}
	w.init("")
	w.send(map[string]any{"id": "a", "type": "subscribe", "payload": map[string]any{"query": `{ me { unitId } }`}})
	if m := w.expect("next"); !strings.Contains(string(m.Payload), "county.a") {
		t.Errorf("upgrade token: %s", m.Payload)
	}
	// A county may not follow another unit's slips.
	w.send(map[string]any{"id": "b", "type": "subscribe", "payload": map[string]any{"query": `subscription { deadlineSlipped(unit: "county.b") { id } }`}})
	for {
		m := w.expect2(t)
		if m.ID == "b" {
			if m.Type != "error" || !strings.Contains(string(m.Payload), "FORBIDDEN") {
				t.Errorf("other unit's slips: %s %s", m.Type, m.Payload)
			}
			break
		}
	}

	// An invalid token in connection_init closes with 4403.
	w2, _, err := e.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	w2.send(map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer tl_nope"}})
	w2.expectClose(transport.CloseForbidden)

	// subscribe before connection_init closes with 4401.
	w3, _, err := e.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	w3.send(map[string]any{"id": "x", "type": "subscribe", "payload": map[string]any{"query": `{ me { role } }`}})
	w3.expectClose(transport.CloseUnauthorized)

	// No connection_init in time closes with 4408.
	w4, _, err := e.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	w4.expectClose(transport.CloseInitTimeout)

	// Without a token: published scorecards only.
	w5, _, err := e.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	w5.init("")
	w5.send(map[string]any{"id": "p", "type": "subscribe", "payload": map[string]any{"query": `subscription { eventsAppended { id } }`}})
	if m := w5.expect("error"); !strings.Contains(string(m.Payload), "UNAUTHENTICATED") {
		t.Errorf("public subscription: %s", m.Payload)
	}
	// A second connection_init closes with 4429.
	w5.send(map[string]any{"type": "connection_init"})
	w5.expectClose(transport.CloseTooManyInitialise)
}

// expect2 reads the next message of any type.
func (w *wsClient) expect2(t *testing.T) wsMessage {
	t.Helper()
	m, err := w.read(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestWebSocketShutdown(t *testing.T) {
	e := newEnv(t, envOptions{})
	w, _, err := e.dialWS(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.init(e.tokens["coordinator"])
	w.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": `subscription { eventsAppended { id } }`}})
	time.Sleep(50 * time.Millisecond)
	done := make(chan struct{})
	go func() { e.server.Close(); close(done) }()
	w.expectClose(websocket.StatusGoingAway)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	if n := e.server.metrics.Subscriptions(); n != 0 {
		t.Errorf("%d subscriptions still counted", n)
	}
	if _, err = w.read(time.Second); err == nil || errors.Is(err, errTimeout) {
		t.Errorf("connection still open: %v", err)
	}
}
