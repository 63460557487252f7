package graphql

import (
	"context"
	"errors"
	"taskledger/app"
	"taskledger/internal/msg"

	gql "github.com/graph-gophers/graphql-go"

	"taskledger/domain"
	"taskledger/eventstore"
)

type eventFilterInput struct {
	Types  *[]string
	Unit   *gql.ID
	Plan   *gql.ID
	Task   *int32
	Stream *string
}

// eventFilter selects events by type and by what they are about.
type eventFilter struct {
	types  map[string]bool
	unit   domain.UnitID
	plan   domain.PlanID
	task   domain.TaskNo
	stream string
}

func (f eventFilter) match(e *domain.Event) bool {
	if len(f.types) > 0 && !f.types[e.Type] {
		return false
	}
	if f.stream != "" && e.Stream != f.stream {
		return false
	}
	if f.unit == "" && f.plan == "" && f.task == 0 {
		return true
	}
	ref, err := domain.ParseStream(e.Stream)
	if err != nil {
		return false
	}
	if f.unit != "" && ref.Unit != f.unit {
		return false
	}
	if f.plan != "" && ref.Plan != f.plan {
		return false
	}
	if f.task != 0 && ref.Task != f.task {
		return false
	}
	return true
}

// follow streams the events appended after the current head that match f,
// until ctx ends.
func (s *Server) follow(ctx context.Context, f eventFilter) (<-chan *eventResolver, error) {
	head, err := s.store.Head(ctx)
	if err != nil {
		return nil, err
	}
	out := make(chan *eventResolver)
	sub := eventstore.Subscribe(ctx, s.store, head)
	go func() {
		defer close(out)
		defer sub.Close()
		for e := range sub.Events() {
			if !f.match(&e) {
				continue
			}
			select {
			case out <- s.event(e):
			case <-ctx.Done():
				return
			}
		}
		if err := sub.Err(); err != nil && !errors.Is(err, context.Canceled) && ctx.Err() == nil {
			s.logger.Warn("subscription ended", "err", err)
		}
	}()
	return out, nil
}

// EventsAppended resolves the eventsAppended subscription.
func (r *root) EventsAppended(ctx context.Context, args struct{ Filter *eventFilterInput }) (<-chan *eventResolver, error) {
	p, err := authorize(ctx, actSubscribeEvents)
	if err != nil {
		return nil, err
	}
	var f eventFilter
	if in := args.Filter; in != nil {
		if in.Types != nil {
			f.types = map[string]bool{}
			for _, t := range *in.Types {
				if _, ok := r.s.reg.Version(t); !ok {
					return nil, refuse(msg.APIEventType, msg.Args{"Type": t})
				}
				f.types[t] = true
			}
		}
		if in.Unit != nil {
			f.unit = domain.UnitID(*in.Unit)
			if f.unit.Validate() != nil {
				if f.unit, err = r.s.resolveUnit(string(*in.Unit)); err != nil {
					return nil, err
				}
			}
		}
		if in.Plan != nil {
			f.plan = domain.PlanID(*in.Plan)
		}
		if in.Task != nil {
			f.task = domain.TaskNo(*in.Task)
		}
		if in.Stream != nil {
			f.stream = *in.Stream
		}
	}
	if f.unit, err = ownUnit(p, actSubscribeEvents, f.unit); err != nil {
		return nil, err
	}
	if f.stream != "" {
		if err := app.OwnStream(p, actSubscribeEvents, f.stream); err != nil {
			return nil, err
		}
	}
	return r.s.follow(ctx, f)
}

// DeadlineSlipped resolves the deadlineSlipped subscription.
func (r *root) DeadlineSlipped(ctx context.Context, args struct{ Unit *gql.ID }) (<-chan *eventResolver, error) {
	p, err := authorize(ctx, actSubscribeSlips)
	if err != nil {
		return nil, err
	}
	f := eventFilter{types: map[string]bool{"DeadlineSlipped": true}}
	if args.Unit != nil {
		f.unit = domain.UnitID(*args.Unit)
		if f.unit.Validate() != nil {
			if f.unit, err = r.s.resolveUnit(string(*args.Unit)); err != nil {
				return nil, err
			}
		}
	}
	if f.unit, err = ownUnit(p, actSubscribeSlips, f.unit); err != nil {
		return nil, err
	}
	return r.s.follow(ctx, f)
}
