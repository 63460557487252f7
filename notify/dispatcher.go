package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"taskledger/domain"
	"taskledger/eventstore"
)

// Topic is the topic (subject, queue) reminders are published on.
const Topic = "taskledger-reminders"

// HeaderID is the metadata key (and webhook header) of a message's stable
// id: the reminder's event ID.
const HeaderID = "Taskledger-Message-Id"

// Recorder records that a channel accepted a reminder; the application
// layer's RecordDelivery, acting as the system, is one.
type Recorder func(ctx context.Context, k domain.ObligationKey, reminder uuid.UUID, channel string) error

// Backoff is the wait between failed attempts: Initial, doubling up to
// Max.
type Backoff struct {
	Initial, Max time.Duration
}

// DefaultBackoff waits a second after the first failure, at most five
// minutes between attempts.
var DefaultBackoff = Backoff{Initial: time.Second, Max: 5 * time.Minute}

// next returns the wait after a wait of d.
func (b Backoff) next(d time.Duration) time.Duration {
	if d <= 0 {
		return b.Initial
	}
	return min(2*d, b.Max)
}

// SendTimeout bounds one attempt to send a message and record its
// delivery. A stop waits for the attempt in flight, so that what a channel
// accepted is recorded before the dispatcher returns.
const SendTimeout = 30 * time.Second

// batch is how many log events the dispatcher reads at a time.
const batch = 256

// Dispatcher delivers every reminder of the ledger to one channel, in log
// order, exactly once across normal restarts. Run one dispatcher per
// channel and ledger.
type Dispatcher struct {
	// Channel names the channel in delivery records: "webhook", "smtp",
	// "nats" or "amqp".
	Channel string
	// Publisher sends on the channel, on Topic (empty: the package's
	// Topic).
	Publisher message.Publisher
	Topic     string
	// Store is the ledger, Registry decodes its events (nil: the default).
	Store    eventstore.Store
	Registry *domain.Registry
	// Record records a delivery.
	Record Recorder
	// Names names units, plans and tasks in messages.
	Names Names
	// Backoff between failed attempts; zero means DefaultBackoff.
	Backoff Backoff
	// Logger receives failures; nil means slog.Default().
	Logger *slog.Logger
}

// check fills defaults and refuses a dispatcher missing a part.
func (d *Dispatcher) check() error {
	if d.Channel == "" || d.Publisher == nil || d.Store == nil || d.Record == nil || d.Names == nil {
		return errors.New("notify: a dispatcher needs Channel, Publisher, Store, Record and Names")
	}
	if d.Registry == nil {
		d.Registry = domain.DefaultRegistry()
	}
	if d.Topic == "" {
		d.Topic = Topic
	}
	if d.Backoff == (Backoff{}) {
		d.Backoff = DefaultBackoff
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	d.Logger = d.Logger.With("channel", d.Channel)
	return nil
}

// Run delivers reminders until ctx ends, then returns nil once the attempt
// in flight (if any) is finished and recorded. It returns an error only
// for a dispatcher missing a part or a log event it cannot decode.
func (d *Dispatcher) Run(ctx context.Context) error {
	if err := d.check(); err != nil {
		return err
	}
	var pos uint64
	for ctx.Err() == nil {
		events, err := d.Store.ReadAll(ctx, pos, batch)
		if err != nil {
			d.wait(ctx, "read the log", err, 0)
			continue
		}
		for i := range events {
			if err := d.handle(ctx, &events[i]); err != nil {
				return err
			}
			if ctx.Err() != nil {
				return nil
			}
			pos = events[i].Position
		}
		if len(events) == 0 {
			_ = d.Store.WaitForAppend(ctx, pos)
		}
	}
	return nil
}

// handle delivers e if it is a reminder this channel has not accepted.
func (d *Dispatcher) handle(ctx context.Context, e *domain.Event) error {
	if e.Type != (domain.ReminderRecorded{}).EventType() {
		return nil
	}
	data, err := d.Registry.Decode(e)
	if err != nil {
		return fmt.Errorf("notify: decode reminder at position %d: %w", e.Position, err)
	}
	r, ok := data.(domain.ReminderRecorded)
	if !ok {
		return fmt.Errorf("notify: event at position %d is %T, not a reminder", e.Position, data)
	}
	var wait time.Duration
	for ctx.Err() == nil {
		err := d.attempt(e, r)
		if err == nil {
			return nil
		}
		wait = d.Backoff.next(wait)
		d.wait(ctx, "deliver reminder "+e.ID.String(), err, wait)
	}
	return nil
}

// attempt sends one reminder unless its delivery is on record, and records
// it. It runs to its end under SendTimeout even when the dispatcher is
// being stopped, so that a sent message is recorded.
func (d *Dispatcher) attempt(e *domain.Event, r domain.ReminderRecorded) error {
	ctx, cancel := context.WithTimeout(context.Background(), SendTimeout)
	defer cancel()
	done, err := d.delivered(ctx, e, r)
	if err != nil || done {
		return err
	}
	msg := message.NewMessage(e.ID.String(), NewMessage(e, r, d.Names).JSON())
	msg.Metadata.Set(HeaderID, e.ID.String())
	msg.SetContext(ctx)
	if err := d.Publisher.Publish(d.Topic, msg); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return d.record(ctx, e, r)
}

// record records a sent reminder's delivery, retrying (a unit writing to
// the same obligation at that moment is a passing conflict) until ctx, the
// attempt's own, ends: a message the channel accepted must not be sent
// again for want of its record.
func (d *Dispatcher) record(ctx context.Context, e *domain.Event, r domain.ReminderRecorded) error {
	var wait time.Duration
	for {
		err := d.Record(ctx, r.Key(), e.ID, d.Channel)
		if err == nil {
			return nil
		}
		if errors.Is(err, eventstore.ErrClosed) {
			return fmt.Errorf("record the delivery of %s, sent: %w", e.ID, err)
		}
		wait = min(d.Backoff.next(wait), time.Second)
		d.Logger.Warn("recording a delivery failed; retrying", "reminder", e.ID, "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return fmt.Errorf("record the delivery of %s, sent: %w", e.ID, err)
		case <-time.After(wait):
		}
	}
}

// delivered reports whether the obligation's stream records this
// channel's delivery of reminder e: the store, not a read model, decides.
func (d *Dispatcher) delivered(ctx context.Context, e *domain.Event, r domain.ReminderRecorded) (bool, error) {
	events, err := d.Store.ReadStream(ctx, e.Stream, eventstore.Forwards, e.Version+1, 0)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", e.Stream, err)
	}
	for i := range events {
		if events[i].Type != (domain.ReminderDelivered{}).EventType() {
			continue
		}
		data, err := d.Registry.Decode(&events[i])
		if err != nil {
			return false, fmt.Errorf("decode %s version %d: %w", e.Stream, events[i].Version, err)
		}
		if del, ok := data.(domain.ReminderDelivered); ok && del.Reminder == e.ID && del.Channel == d.Channel {
			return true, nil
		}
	}
	return false, nil
}

// wait logs a failure and waits for the backoff or the end of ctx.
func (d *Dispatcher) wait(ctx context.Context, what string, err error, wait time.Duration) {
	if wait <= 0 {
		wait = d.Backoff.Initial
	}
	d.Logger.Warn("notification failed; retrying", "what", what, "err", err, "retry_in", wait)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
