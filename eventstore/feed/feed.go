// Package feed delivers a store's global log as Watermill messages. It is how
// projections read the ledger: a watermill message.Subscriber whose topic
// names a consumer, that resumes from the consumer's checkpoint, catches up on
// stored events and then delivers new ones as they commit. The checkpoint
// advances only after a message is acked; a nack redelivers the same event
// before any later one. Events are never published anywhere first: the log
// is read where it is stored.
package feed

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"taskledger/domain"
	"taskledger/eventstore"
)

// Metadata keys set on every message.
const (
	MetaType     = "event_type"
	MetaStream   = "stream"
	MetaVersion  = "stream_version"
	MetaPosition = "position"
)

// Checkpoints keeps, per consumer, the position of the last event it applied.
type Checkpoints interface {
	// Load returns the consumer's checkpoint, 0 if it has none.
	Load(ctx context.Context, consumer string) (uint64, error)
	// Save records that the consumer has applied every event up to position.
	Save(ctx context.Context, consumer string, position uint64) error
}

// MemoryCheckpoints is a Checkpoints kept in memory, for tests and for
// consumers that rebuild from zero on every start.
type MemoryCheckpoints struct {
	mu  sync.Mutex
	pos map[string]uint64
}

// NewMemoryCheckpoints returns an empty checkpoint table.
func NewMemoryCheckpoints() *MemoryCheckpoints {
	return &MemoryCheckpoints{pos: map[string]uint64{}}
}

// Load implements Checkpoints.
func (m *MemoryCheckpoints) Load(_ context.Context, consumer string) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pos[consumer], nil
}

// Save implements Checkpoints.
func (m *MemoryCheckpoints) Save(_ context.Context, consumer string, position uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pos[consumer] = position
	return nil
}

// Config configures a Subscriber.
type Config struct {
	// Checkpoints is where consumers' positions are kept. Required.
	Checkpoints Checkpoints
	// NackDelay is how long to wait before redelivering a nacked event.
	// Zero means 50 ms.
	NackDelay time.Duration
	// Logger receives delivery errors. Nil means no logging.
	Logger watermill.LoggerAdapter
}

// Subscriber is a watermill message.Subscriber over a store's global log.
type Subscriber struct {
	store  eventstore.Store
	cfg    Config
	mu     sync.Mutex
	closed bool
	cancel context.CancelFunc
	ctx    context.Context
	wg     sync.WaitGroup
	errs   map[string]error
}

var _ message.Subscriber = (*Subscriber)(nil)

// NewSubscriber returns a subscriber over store.
func NewSubscriber(store eventstore.Store, cfg Config) (*Subscriber, error) {
	if cfg.Checkpoints == nil {
		return nil, errors.New("feed: Config.Checkpoints is required")
	}
	if cfg.NackDelay <= 0 {
		cfg.NackDelay = 50 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = watermill.NopLogger{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Subscriber{store: store, cfg: cfg, ctx: ctx, cancel: cancel, errs: map[string]error{}}, nil
}

type eventKey struct{}

// EventFrom returns the ledger event a message carries. Handlers use it to
// read the envelope without decoding metadata strings.
func EventFrom(msg *message.Message) (*domain.Event, bool) {
	e, ok := msg.Context().Value(eventKey{}).(*domain.Event)
	return e, ok
}

// Subscribe implements message.Subscriber. The topic names the consumer: its
// checkpoint is loaded now and saved after each ack.
func (s *Subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("subscribe %q: %w", topic, eventstore.ErrClosed)
	}
	from, err := s.cfg.Checkpoints.Load(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("subscribe %q: load checkpoint: %w", topic, err)
	}
	out := make(chan *message.Message)
	runCtx, cancel := context.WithCancel(ctx)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		defer close(out)
		stop := context.AfterFunc(s.ctx, cancel)
		defer stop()
		if err := s.deliver(runCtx, topic, from, out); err != nil && runCtx.Err() == nil {
			s.cfg.Logger.Error("feed stopped", err, watermill.LogFields{"consumer": topic})
			s.mu.Lock()
			s.errs[topic] = err
			s.mu.Unlock()
		}
	}()
	return out, nil
}

// deliver sends each event after position from, one at a time, waiting for
// its ack before saving the checkpoint and moving on.
func (s *Subscriber) deliver(ctx context.Context, topic string, from uint64, out chan<- *message.Message) error {
	sub := eventstore.Subscribe(ctx, s.store, from)
	defer sub.Close()
	for e := range sub.Events() {
		for {
			acked, err := s.send(ctx, e, out)
			if err != nil {
				return err
			}
			if acked {
				break
			}
			select {
			case <-time.After(s.cfg.NackDelay):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if err := s.cfg.Checkpoints.Save(ctx, topic, e.Position); err != nil {
			return fmt.Errorf("save checkpoint %d for %q: %w", e.Position, topic, err)
		}
	}
	if err := sub.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// send delivers one message and reports whether it was acked (true) or
// nacked (false).
func (s *Subscriber) send(ctx context.Context, e domain.Event, out chan<- *message.Message) (bool, error) {
	ev := e
	msg := message.NewMessageWithContext(context.WithValue(ctx, eventKey{}, &ev), e.ID.String(), e.Payload)
	msg.Metadata.Set(MetaType, e.Type)
	msg.Metadata.Set(MetaStream, e.Stream)
	msg.Metadata.Set(MetaVersion, strconv.FormatUint(e.Version, 10))
	msg.Metadata.Set(MetaPosition, strconv.FormatUint(e.Position, 10))
	select {
	case out <- msg:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	select {
	case <-msg.Acked():
		return true, nil
	case <-msg.Nacked():
		return false, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// Err returns the error that stopped a consumer's delivery, if any.
func (s *Subscriber) Err(topic string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.errs[topic]
}

// Close implements message.Subscriber: it ends every subscription, closes
// their channels and waits for them. A message in flight is not acked, so
// its event is delivered again on the next start.
func (s *Subscriber) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}
