package notify

import (
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	wnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/nats-io/nats.go"
	amqp091 "github.com/rabbitmq/amqp091-go"
)

// NewNATS returns a JetStream publisher on url (nats://host:4222). The
// stream, named and bound to Topic, is created when missing; JetStream
// drops a repeated message id within its duplicate window, and Publish
// returns once JetStream has acknowledged the message.
func NewNATS(url string, logger *slog.Logger) (*wnats.Publisher, error) {
	p, err := wnats.NewPublisher(wnats.PublisherConfig{
		URL:         url,
		NatsOptions: []nats.Option{nats.Name("taskledger"), nats.Timeout(10 * time.Second)},
		Marshaler:   &wnats.NATSMarshaler{},
		JetStream:   wnats.JetStreamConfig{AutoProvision: true, TrackMsgId: true},
	}, watermill.NewSlogLogger(logger))
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %s: %w", redact(url), err)
	}
	return p, nil
}

// NewAMQP returns a publisher on url (amqp://user:pass@host:5672/) that
// sends persistent messages to the durable queue named queue (the topic
// the dispatcher publishes on; Topic by default) and waits for the
// broker's confirmation. It declares the queue first, so that messages
// published before any receiver subscribes wait in it rather than being
// dropped. The message UUID (the stable id) travels as the
// _watermill_message_uuid header.
func NewAMQP(url, queue string, logger *slog.Logger) (*wamqp.Publisher, error) {
	if err := declareQueue(url, queue); err != nil {
		return nil, err
	}
	cfg := wamqp.NewDurableQueueConfig(url)
	cfg.Publish.ConfirmDelivery = true
	p, err := wamqp.NewPublisher(cfg, watermill.NewSlogLogger(logger))
	if err != nil {
		return nil, fmt.Errorf("connect to AMQP at %s: %w", redact(url), err)
	}
	return p, nil
}

// declareQueue declares the durable queue as NewDurableQueueConfig's
// subscribers do.
func declareQueue(url, queue string) error {
	conn, err := amqp091.Dial(url)
	if err != nil {
		return fmt.Errorf("connect to AMQP at %s: %w", redact(url), err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("AMQP channel: %w", err)
	}
	defer ch.Close()
	if _, err := ch.QueueDeclare(queue, true, false, false, false, nil); err != nil {
		return fmt.Errorf("declare AMQP queue %s: %w", queue, err)
	}
	return nil
}

// AMQPConfig is the configuration a receiver of NewAMQP's messages
// subscribes with.
func AMQPConfig(url string) wamqp.Config { return wamqp.NewDurableQueueConfig(url) }

// lazy is a publisher opened on first use and reopened after a failure, so
// that a broker that is down when the server starts delays delivery (the
// dispatcher retries) instead of stopping the server.
type lazy struct {
	open func() (message.Publisher, error)
	mu   sync.Mutex
	pub  message.Publisher
}

// Publish opens the publisher if need be and publishes; after a failure
// the next call starts from a new connection.
func (l *lazy) Publish(topic string, msgs ...*message.Message) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pub == nil {
		pub, err := l.open()
		if err != nil {
			return err
		}
		l.pub = pub
	}
	if err := l.pub.Publish(topic, msgs...); err != nil {
		_ = l.pub.Close()
		l.pub = nil
		return err
	}
	return nil
}

// Close closes the publisher if it is open.
func (l *lazy) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pub == nil {
		return nil
	}
	err := l.pub.Close()
	l.pub = nil
	return err
}

// checkURL refuses a broker URL of another scheme.
func checkURL(raw string, schemes ...string) error {
	u, err := url.Parse(raw)
	if err == nil && slices.Contains(schemes, u.Scheme) && u.Host != "" {
		return nil
	}
	return fmt.Errorf("%q is not a %s URL", redact(raw), strings.Join(schemes, " or "))
}

// LazyNATS returns a NATS JetStream publisher (NewNATS) that connects on
// first use and again after a failure.
func LazyNATS(url string, logger *slog.Logger) (message.Publisher, error) {
	if err := checkURL(url, "nats", "tls"); err != nil {
		return nil, err
	}
	return &lazy{open: func() (message.Publisher, error) { return NewNATS(url, logger) }}, nil
}

// LazyAMQP returns an AMQP publisher (NewAMQP) that connects on first use
// and again after a failure.
func LazyAMQP(url, queue string, logger *slog.Logger) (message.Publisher, error) {
	if err := checkURL(url, "amqp", "amqps"); err != nil {
		return nil, err
	}
	return &lazy{open: func() (message.Publisher, error) { return NewAMQP(url, queue, logger) }}, nil
}
