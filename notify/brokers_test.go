package notify_test

import (
	"context"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	amqp091 "github.com/rabbitmq/amqp091-go"

	"taskledger/notify"
)

// The brokers the tests use, overridable by the environment.
const (
	natsEnv     = "TASKLEDGER_TEST_NATS"
	natsDefault = "nats://127.0.0.1:4222"
	amqpEnv     = "TASKLEDGER_TEST_AMQP"
	amqpDefault = "amqp://guest:guest@127.0.0.1:5672/"
)

// service returns the URL of a broker, skipping the test when nothing
// listens there, except under CI=true, where that is a failure.
func service(t *testing.T, env, def, what string) string {
	t.Helper()
	u := os.Getenv(env)
	if u == "" {
		u = def
	}
	host := map[string]string{natsDefault: "127.0.0.1:4222", amqpDefault: "127.0.0.1:5672"}[def]
	if os.Getenv(env) != "" {
		host = "" // a URL of the environment is dialled by the client itself
	}
	if host != "" {
		c, err := net.DialTimeout("tcp", host, 2*time.Second)
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not running at %s (CI=true: a missing service is a failure): %v", what, host, err)
			}
			t.Skipf("skipped: %s is not running at %s (set %s to another URL): %v", what, host, env, err)
		}
		c.Close()
	}
	return u
}

// Every reminder lands once in a JetStream stream, with its stable id as
// the message id; a second dispatcher on the same ledger adds nothing.
func TestNATSJetStream(t *testing.T) {
	url := service(t, natsEnv, natsDefault, "NATS with JetStream")
	topic := "taskledger-test-" + uuid.NewString()[:8]
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := nc.JetStream()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = js.DeleteStream(topic) }()

	l := newLedger(t)
	l.tick(2025, 12, 26)
	pub, err := notify.LazyNATS(url, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	for round := 0; round < 2; round++ {
		d := l.dispatcher("nats", pub)
		d.Topic = topic
		ctx, cancel := context.WithCancel(context.Background())
		done := run(t, ctx, d)
		waitFor(t, "every delivery recorded", func() bool { return len(l.deliveries("nats")) == len(l.reminders) })
		cancel()
		<-done
	}
	sub, err := js.SubscribeSync(topic, nats.DeliverAll(), nats.AckNone())
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	got := map[string]int{}
	for range l.reminders {
		m, err := sub.NextMsg(5 * time.Second)
		if err != nil {
			t.Fatalf("after %d messages: %v", len(got), err)
		}
		got[m.Header.Get(nats.MsgIdHdr)]++
	}
	if m, err := sub.NextMsg(200 * time.Millisecond); err == nil {
		t.Fatalf("an extra message %s", m.Header.Get(nats.MsgIdHdr))
	}
	exactlyOnce(t, l.reminders, got)
}

// Every reminder lands once in a durable AMQP queue, with its stable id as
// the message UUID.
func TestAMQPQueue(t *testing.T) {
	url := service(t, amqpEnv, amqpDefault, "RabbitMQ")
	topic := "taskledger-test-" + uuid.NewString()[:8]
	defer deleteQueue(t, url, topic)

	l := newLedger(t)
	l.tick(2025, 12, 26)
	logger := slog.New(slog.DiscardHandler)
	pub, err := notify.LazyAMQP(url, topic, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	d := l.dispatcher("amqp", pub)
	d.Topic = topic
	ctx, cancel := context.WithCancel(context.Background())
	done := run(t, ctx, d)
	waitFor(t, "every delivery recorded", func() bool { return len(l.deliveries("amqp")) == len(l.reminders) })
	cancel()
	<-done

	sub, err := wamqp.NewSubscriber(notify.AMQPConfig(url), watermill.NewSlogLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	rctx, rcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer rcancel()
	msgs, err := sub.Subscribe(rctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for range l.reminders {
		select {
		case m := <-msgs:
			got[m.UUID]++
			m.Ack()
		case <-rctx.Done():
			t.Fatalf("after %d messages: %v", len(got), rctx.Err())
		}
	}
	select {
	case m := <-msgs:
		t.Fatalf("an extra message %s", m.UUID)
	case <-time.After(300 * time.Millisecond):
	}
	exactlyOnce(t, l.reminders, got)
}

// deleteQueue removes a test's queue from the broker.
func deleteQueue(t *testing.T, url, queue string) {
	conn, err := amqp091.Dial(url)
	if err != nil {
		t.Logf("delete queue %s: %v", queue, err)
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	_, _ = ch.QueueDelete(queue, false, false, false)
}

// A broker that is down does not stop the server from starting: its
// publisher connects on first use, fails, and connects again on the next
// attempt. A URL of another scheme is refused at once.
func TestBrokerDownAtStart(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	for _, c := range []struct {
		name string
		open func() (message.Publisher, error)
	}{
		{"nats", func() (message.Publisher, error) { return notify.LazyNATS("nats://127.0.0.1:1", logger) }},
		{"amqp", func() (message.Publisher, error) {
			return notify.LazyAMQP("amqp://guest:guest@127.0.0.1:1/", "q", logger)
		}},
	} {
		pub, err := c.open()
		if err != nil {
			t.Fatalf("%s: a broker down at start refused the channel: %v", c.name, err)
		}
		for range 2 {
			if err := pub.Publish("q", message.NewMessage(uuid.NewString(), []byte("{}"))); err == nil {
				t.Fatalf("%s: published to a closed port", c.name)
			}
		}
		if err := pub.Close(); err != nil {
			t.Errorf("%s: close: %v", c.name, err)
		}
	}
	if _, err := notify.LazyNATS("http://127.0.0.1:4222", logger); err == nil {
		t.Error("an http URL was taken for NATS")
	}
	if _, err := notify.LazyAMQP("nats://guest:secret@127.0.0.1:5672", "q", logger); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("a nats URL taken for AMQP, or its password shown: %v", err)
	}
}
