package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"taskledger/domain"
	"taskledger/eventstore"
)

// Settings say which channels to deliver reminders to; an empty URL leaves
// its channel off.
type Settings struct {
	// Webhook is an http(s) URL, Secret the shared signing secret it needs.
	Webhook string
	Secret  string
	// SMTP is smtp://user:pass@host:port?from=…&to=…
	SMTP string
	// NATS is a nats:// URL of a server with JetStream.
	NATS string
	// AMQP is an amqp:// URL.
	AMQP string
}

// Any reports whether any channel is on.
func (s Settings) Any() bool { return s.Webhook != "" || s.SMTP != "" || s.NATS != "" || s.AMQP != "" }

// Publishers opens the publisher of every channel that is on, by channel
// name. On failure it closes what it opened.
func (s Settings) Publishers(now func() time.Time, logger *slog.Logger) (map[string]message.Publisher, error) {
	out := map[string]message.Publisher{}
	open := func(channel string, pub message.Publisher, err error) error {
		if err != nil {
			closeAll(out)
			return err
		}
		out[channel] = pub
		return nil
	}
	if s.Webhook != "" {
		pub, err := NewWebhook(s.Webhook, []byte(s.Secret))
		if err := open("webhook", pub, err); err != nil {
			return nil, err
		}
	}
	if s.SMTP != "" {
		pub, err := NewMail(s.SMTP, now)
		if err := open("smtp", pub, err); err != nil {
			return nil, err
		}
	}
	if s.NATS != "" {
		pub, err := LazyNATS(s.NATS, logger)
		if err := open("nats", pub, err); err != nil {
			return nil, err
		}
	}
	if s.AMQP != "" {
		pub, err := LazyAMQP(s.AMQP, Topic, logger)
		if err := open("amqp", pub, err); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func closeAll(pubs map[string]message.Publisher) {
	for _, p := range pubs {
		_ = p.Close()
	}
}

// Outbox runs one dispatcher per channel.
type Outbox struct {
	store  eventstore.Store
	reg    *domain.Registry
	record Recorder
	names  Names
	logger *slog.Logger
	pubs   map[string]message.Publisher

	stop func()
	wg   sync.WaitGroup
}

// CloseTimeout bounds closing a channel's publisher: a broker that does not
// answer does not hold a stopping server up.
const CloseTimeout = 10 * time.Second

// Open opens the channels of s over store without delivering anything yet:
// Run delivers, Close closes the channels. With no channel on it returns an
// outbox that does nothing.
func Open(s Settings, store eventstore.Store, reg *domain.Registry, record Recorder, names Names, now func() time.Time, logger *slog.Logger) (*Outbox, error) {
	if logger == nil {
		logger = slog.Default()
	}
	pubs, err := s.Publishers(now, logger)
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	return &Outbox{store: store, reg: reg, record: record, names: names, logger: logger, pubs: pubs, stop: func() {}}, nil
}

// Run delivers reminders to every channel until ctx ends, then returns
// once the attempts in flight are sent and recorded (each bounded by
// SendTimeout). Run it once at a time; the publishers stay open for the
// next Run until Close.
func (o *Outbox) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for ch, pub := range o.pubs {
		d := &Dispatcher{Channel: ch, Publisher: pub, Store: o.store, Registry: o.reg, Record: o.record, Names: o.names, Logger: o.logger}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.Run(ctx); err != nil {
				o.logger.Error("notification dispatcher stopped", "channel", ch, "err", err)
			}
		}()
		o.logger.Info("delivering reminders", "channel", ch)
	}
	wg.Wait()
}

// Close closes the channels, giving each at most CloseTimeout. Stop Run
// first.
func (o *Outbox) Close() error {
	var errs []error
	for ch, p := range o.pubs {
		if err := closeWithin(p, CloseTimeout); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", ch, err))
		}
	}
	return errors.Join(errs...)
}

// closeWithin closes p, giving up (and leaving the close to finish on its
// own) after d.
func closeWithin(p message.Publisher, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- p.Close() }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return fmt.Errorf("no answer within %s", d)
	}
}

// Start opens the channels of s and runs their dispatchers over store
// until Stop: Open, then Run in the background.
func Start(s Settings, store eventstore.Store, reg *domain.Registry, record Recorder, names Names, now func() time.Time, logger *slog.Logger) (*Outbox, error) {
	o, err := Open(s, store, reg, record, names, now, logger)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	o.stop = cancel
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		o.Run(ctx)
	}()
	return o, nil
}

// Stop stops the dispatchers Start runs, waiting for the attempts in
// flight to be sent and recorded, and closes the channels.
func (o *Outbox) Stop() error {
	o.stop()
	o.wg.Wait()
	return o.Close()
}
