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
	stop func()
	wg   sync.WaitGroup
	pubs map[string]message.Publisher
}

// Start opens the channels of s and runs their dispatchers over store
// until Stop. With no channel on it returns an outbox that does nothing.
func Start(s Settings, store eventstore.Store, reg *domain.Registry, record Recorder, names Names, now func() time.Time, logger *slog.Logger) (*Outbox, error) {
	if logger == nil {
		logger = slog.Default()
	}
	pubs, err := s.Publishers(now, logger)
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	o := &Outbox{stop: cancel, pubs: pubs}
	for ch, pub := range pubs {
		d := &Dispatcher{Channel: ch, Publisher: pub, Store: store, Registry: reg, Record: record, Names: names, Logger: logger}
		o.wg.Add(1)
		go func() {
			defer o.wg.Done()
			if err := d.Run(ctx); err != nil {
				logger.Error("notification dispatcher stopped", "channel", ch, "err", err)
			}
		}()
		logger.Info("delivering reminders", "channel", ch)
	}
	return o, nil
}

// Stop stops the dispatchers, waiting for the attempts in flight to be
// sent and recorded, and closes the channels.
func (o *Outbox) Stop() error {
	o.stop()
	o.wg.Wait()
	var errs []error
	for ch, p := range o.pubs {
		if err := p.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", ch, err))
		}
	}
	return errors.Join(errs...)
}
