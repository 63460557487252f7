package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/memory"
	"taskledger/notify"
	"taskledger/projections"
)

// ledger is a memory ledger holding the Chifeng plan and the reminders a
// tick recorded.
type ledger struct {
	t         *testing.T
	store     eventstore.Store
	svc       *app.Service
	views     app.PulledViews
	mu        sync.Mutex // guards now: the dispatcher records by the same clock
	now       time.Time
	reminders []uuid.UUID
}

// clock is the ledger's time.
func (l *ledger) clock() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.now
}

func newLedger(t *testing.T) *ledger {
	t.Helper()
	l := &ledger{t: t, store: memory.New(), now: time.Date(2025, 3, 10, 9, 0, 0, 0, domain.Shanghai())}
	reg := domain.DefaultRegistry()
	l.views = app.PulledViews{Runner: projections.NewRunner(l.store, reg, projections.NewViews(projections.Config{}), projections.RunnerConfig{})}
	svc, err := app.New(app.Config{Store: l.store, Registry: reg, Views: l.views, Clock: app.ClockFunc(l.clock), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	l.svc = svc
	t.Cleanup(func() { l.store.Close() })
	text, err := os.ReadFile("../examples/chifeng-air-quality-plan.txt")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := svc.ImportPlan(ctx, auth.LocalOperator("tester", ""), app.ImportInput{Text: text, Plan: "chifeng-air"}); err != nil {
		t.Fatal(err)
	}
	l.sync()
	return l
}

func (l *ledger) sync() {
	l.t.Helper()
	if err := l.views.Sync(context.Background(), 0); err != nil {
		l.t.Fatal(err)
	}
}

// tick records the reminders due at a Shanghai day and remembers their
// event IDs.
func (l *ledger) tick(y int, m time.Month, d int) {
	l.t.Helper()
	l.mu.Lock()
	l.now = time.Date(y, m, d, 9, 0, 0, 0, domain.Shanghai())
	l.mu.Unlock()
	out, err := l.svc.Tick(context.Background(), auth.SystemPrincipal())
	if err != nil {
		l.t.Fatal(err)
	}
	for _, r := range out.Reminders {
		l.reminders = append(l.reminders, r.Events[0].ID)
	}
	l.sync()
}

// record records deliveries as the system, through the application layer.
func (l *ledger) record(ctx context.Context, k domain.ObligationKey, id uuid.UUID, channel string) error {
	_, err := l.svc.RecordDelivery(ctx, auth.SystemPrincipal(), app.DeliveryInput{Obligation: k, Reminder: id, Channel: channel})
	return err
}

func (l *ledger) names() notify.Names {
	return notify.CatalogNames{
		Catalog:     func() *projections.Catalog { return l.views.Views().Catalog },
		Obligations: func() *projections.Obligations { return l.views.Views().Obligations },
	}
}

// dispatcher returns a dispatcher of the ledger's reminders to pub.
func (l *ledger) dispatcher(channel string, pub message.Publisher) *notify.Dispatcher {
	return &notify.Dispatcher{Channel: channel, Publisher: pub, Store: l.store, Record: l.record, Names: l.names(),
		Backoff: notify.Backoff{Initial: time.Millisecond, Max: 10 * time.Millisecond}, Logger: slog.New(slog.DiscardHandler)}
}

// deliveries counts the ReminderDelivered events of a channel in the log.
func (l *ledger) deliveries(channel string) map[uuid.UUID]int {
	l.t.Helper()
	events, err := l.store.ReadAll(context.Background(), 0, 0)
	if err != nil {
		l.t.Fatal(err)
	}
	out := map[uuid.UUID]int{}
	for _, e := range events {
		if e.Type != "ReminderDelivered" {
			continue
		}
		var d domain.ReminderDelivered
		if err := json.Unmarshal(e.Payload, &d); err != nil {
			l.t.Fatal(err)
		}
		if d.Channel == channel {
			out[d.Reminder]++
		}
	}
	return out
}

// receiver is a webhook endpoint that checks signatures, refuses the
// first attempt of every message, and counts what it accepts by id.
type receiver struct {
	t      *testing.T
	secret []byte
	mu     sync.Mutex
	tried  map[string]bool
	got    map[string]int
	bodies map[string]notify.Message
	// after is called with the number of distinct messages accepted.
	after func(n int)
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	id := req.Header.Get(notify.IDHeader)
	if !notify.Verify(r.secret, body, req.Header.Get(notify.SignatureHeader)) {
		r.t.Errorf("message %s: bad signature %q", id, req.Header.Get(notify.SignatureHeader))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var m notify.Message
	if err := json.Unmarshal(body, &m); err != nil || m.ID != id {
		r.t.Errorf("message %s: body %s (%v)", id, body, err)
	}
	r.mu.Lock()
	if !r.tried[id] {
		r.tried[id] = true
		r.mu.Unlock()
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	r.got[id]++
	r.bodies[id] = m
	n := len(r.got)
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
	if r.after != nil {
		r.after(n)
	}
}

func newReceiver(t *testing.T, secret string) *receiver {
	return &receiver{t: t, secret: []byte(secret), tried: map[string]bool{}, got: map[string]int{}, bodies: map[string]notify.Message{}}
}

// exactlyOnce checks that every reminder arrived once and nothing else did.
func exactlyOnce(t *testing.T, reminders []uuid.UUID, got map[string]int) {
	t.Helper()
	for _, id := range reminders {
		if n := got[id.String()]; n != 1 {
			t.Errorf("reminder %s arrived %d times", id, n)
		}
	}
	if len(got) != len(reminders) {
		t.Errorf("%d distinct messages arrived for %d reminders", len(got), len(reminders))
	}
}

// run runs d until ctx ends and returns a channel closed when it returned.
func run(t *testing.T, ctx context.Context, d *notify.Dispatcher) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := d.Run(ctx); err != nil {
			t.Errorf("dispatcher: %v", err)
		}
	}()
	return done
}

// waitFor polls cond until it holds or a few seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Every reminder reaches the webhook signed, once, though the receiver
// refuses each first attempt; its delivery is recorded; reminders recorded
// while the dispatcher runs follow.
func TestWebhookDeliversEachReminderOnce(t *testing.T) {
	l := newLedger(t)
	l.tick(2025, 12, 26)
	if len(l.reminders) == 0 {
		t.Fatal("the tick recorded no reminders")
	}
	rec := newReceiver(t, "s3cret")
	srv := httptest.NewServer(rec)
	defer srv.Close()
	hook, err := notify.NewWebhook(srv.URL, []byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := run(t, ctx, l.dispatcher("webhook", hook))
	count := func() int { rec.mu.Lock(); defer rec.mu.Unlock(); return len(rec.got) }
	waitFor(t, "the first reminders", func() bool { return count() == len(l.reminders) })
	l.tick(2026, 1, 2) // overdue now: new reminders while it runs
	waitFor(t, "the overdue reminders", func() bool { return count() == len(l.reminders) })
	cancel()
	<-done
	exactlyOnce(t, l.reminders, rec.got)
	if got := l.deliveries("webhook"); len(got) != len(l.reminders) {
		t.Fatalf("%d deliveries recorded for %d reminders", len(got), len(l.reminders))
	}
	m := rec.bodies[l.reminders[0].String()]
	if m.Kind != "due_soon" || m.Label != "催办" || m.Unit.Name == m.Unit.ID || m.Plan.Name == "" || m.Text == "" {
		t.Fatalf("message body %+v", m)
	}
	// The text a person reads names the milestone in the plan's words.
	if !strings.Contains(m.Text, "节点「") || strings.Contains(m.Text, m.Milestone) {
		t.Fatalf("the message names milestone %s by its id: %q", m.Milestone, m.Text)
	}
}

// A dispatcher stopped in the middle of delivery and a new one started on
// the same store deliver every reminder exactly once in all.
func TestRestartInTheMiddleOfDelivery(t *testing.T) {
	l := newLedger(t)
	l.tick(2025, 12, 26)
	if len(l.reminders) < 10 {
		t.Fatalf("only %d reminders", len(l.reminders))
	}
	rec := newReceiver(t, "k")
	ctx, cancel := context.WithCancel(context.Background())
	rec.after = func(n int) {
		if n == 5 {
			cancel()
		}
	}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	hook, err := notify.NewWebhook(srv.URL, []byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	<-run(t, ctx, l.dispatcher("webhook", hook))
	rec.mu.Lock()
	first := len(rec.got)
	rec.mu.Unlock()
	if first < 5 || first >= len(l.reminders) {
		t.Fatalf("the first dispatcher delivered %d of %d before stopping", first, len(l.reminders))
	}
	if got := l.deliveries("webhook"); len(got) != first {
		t.Fatalf("stopped after %d deliveries, %d recorded", first, len(got))
	}
	rec.after = nil
	ctx2, cancel2 := context.WithCancel(context.Background())
	done := run(t, ctx2, l.dispatcher("webhook", hook))
	waitFor(t, "the rest", func() bool { rec.mu.Lock(); defer rec.mu.Unlock(); return len(rec.got) == len(l.reminders) })
	cancel2()
	<-done
	exactlyOnce(t, l.reminders, rec.got)
}

// A webhook without a secret or with a URL that is not http(s) is refused.
func TestWebhookSettingsAreChecked(t *testing.T) {
	if _, err := notify.NewWebhook("http://127.0.0.1:1/hook", nil); err == nil {
		t.Error("a webhook without a secret was accepted")
	}
	if _, err := notify.NewWebhook("ftp://example/hook", []byte("k")); err == nil {
		t.Error("an ftp URL was accepted")
	}
	if _, err := (notify.Settings{Webhook: "http://127.0.0.1:1/hook"}).Publishers(time.Now, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("settings with a webhook and no secret were accepted")
	}
	if (notify.Settings{}).Any() || !(notify.Settings{SMTP: "smtp://h?from=a@b&to=c@d"}).Any() {
		t.Error("Any does not say whether a channel is on")
	}
	if _, err := (notify.Settings{Webhook: "http://127.0.0.1:1/hook"}).Publishers(time.Now, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("settings with a webhook and no secret were accepted")
	}
	if (notify.Settings{}).Any() || !(notify.Settings{SMTP: "smtp://h?from=a@b&to=c@d"}).Any() {
		t.Error("Any does not say whether a channel is on")
	}
	if !notify.Verify([]byte("k"), []byte("{}"), notify.Sign([]byte("k"), []byte("{}"))) || notify.Verify([]byte("k"), []byte("{} "), notify.Sign([]byte("k"), []byte("{}"))) {
		t.Error("Verify does not check the body")
	}
}
