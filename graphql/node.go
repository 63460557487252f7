package graphql

import (
	"context"
	"errors"
	"strings"
	"taskledger/internal/msg"

	"github.com/google/uuid"
	gql "github.com/graph-gophers/graphql-go"

	"taskledger/app"
	"taskledger/domain"
	"taskledger/projections"
)

// nodeResolver resolves the Node interface: exactly one of its fields is
// set.
type nodeResolver struct {
	plan *planResolver
	task *taskResolver
	unit *unitResolver
	obl  *obligationResolver
	ev   *eventResolver
}

// ID resolves Node.id.
func (n *nodeResolver) ID() gql.ID {
	switch {
	case n.plan != nil:
		return n.plan.ID()
	case n.task != nil:
		return n.task.ID()
	case n.unit != nil:
		return n.unit.ID()
	case n.obl != nil:
		return n.obl.ID
	default:
		return n.ev.ID()
	}
}

// ToPlan, ToTask, ToUnit, ToObligation and ToEvent tell graphql-go which
// type a node is.
func (n *nodeResolver) ToPlan() (*planResolver, bool)             { return n.plan, n.plan != nil }
func (n *nodeResolver) ToTask() (*taskResolver, bool)             { return n.task, n.task != nil }
func (n *nodeResolver) ToUnit() (*unitResolver, bool)             { return n.unit, n.unit != nil }
func (n *nodeResolver) ToObligation() (*obligationResolver, bool) { return n.obl, n.obl != nil }
func (n *nodeResolver) ToEvent() (*eventResolver, bool)           { return n.ev, n.ev != nil }

// ID resolves Task.id: the task's stream name, its global id.
func (r *taskResolver) ID() gql.ID { return gql.ID(domain.TaskStream(r.t.Plan, r.t.No)) }

// Node resolves node: the plan, task, unit, obligation or event with a
// global id (Node.id), under the same rules as the queries that list
// them; null when nothing has the id.
func (r *root) Node(ctx context.Context, args struct{ ID gql.ID }) (*nodeResolver, error) {
	id := string(args.ID)
	var found []*nodeResolver
	if u, err := uuid.Parse(id); err == nil && strings.Count(id, "-") == 4 {
		ev, err := r.s.eventByID(ctx, u)
		if err != nil || ev == nil {
			return nil, err
		}
		return &nodeResolver{ev: ev}, nil
	}
	if strings.HasPrefix(id, "obligation-") {
		if o, err := r.s.obligationNode(ctx, id); err != nil || o != nil {
			return o, err
		}
	}
	if _, err := authorize(ctx, actReadCatalog); err != nil {
		return nil, err
	}
	cat := r.s.views.Catalog
	if strings.HasPrefix(id, "task-") {
		for _, p := range cat.Plans() {
			for _, t := range cat.Tasks(p.ID) {
				if domain.TaskStream(t.Plan, t.No) == id {
					found = append(found, &nodeResolver{task: &taskResolver{s: r.s, t: t}})
				}
			}
		}
	}
	if p, ok := cat.Plan(domain.PlanID(id)); ok {
		found = append(found, &nodeResolver{plan: &planResolver{s: r.s, p: p}})
	}
	if u, ok := cat.Unit(domain.UnitID(id)); ok {
		found = append(found, &nodeResolver{unit: &unitResolver{s: r.s, u: u}})
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	}
	return nil, refuse(msg.APINodeAmbiguous, msg.Args{"ID": id})
}

// obligationNode finds an obligation by its stream name; nil when there is
// none. A bureau or county token may see only its own unit's.
func (s *Server) obligationNode(ctx context.Context, stream string) (*nodeResolver, error) {
	p, err := authorize(ctx, actReadObligations)
	if err != nil {
		return nil, err
	}
	ob, ok := s.views.Obligations.Get(stream)
	if !ok {
		return nil, nil
	}
	if _, err := app.OwnUnit(p, actReadObligations, ob.Key.Unit); err != nil {
		return nil, err
	}
	if o := s.obligationView(ob, stream); o != nil {
		return &nodeResolver{obl: o}, nil
	}
	return nil, nil
}

// obligationView evaluates one obligation now; nil when the read models
// do not list it.
func (s *Server) obligationView(ob domain.Obligation, stream string) *obligationResolver {
	f := projections.Filter{Plan: ob.Key.Plan, Task: ob.Key.Task, Unit: ob.Key.Unit}
	for _, v := range s.views.Obligations.Views(f, s.now(), s.views.Config.YellowDays) {
		if v.Stream == stream {
			return newObligationResolver(s.views.Catalog, v)
		}
	}
	return nil
}

// eventByID reads an event of the log by id (through the Merkle index);
// nil when the log has none with it.
func (s *Server) eventByID(ctx context.Context, id uuid.UUID) (*eventResolver, error) {
	if _, err := authorize(ctx, actReadEvents); err != nil {
		return nil, err
	}
	x, err := s.syncedMerkle(ctx)
	if err != nil {
		return nil, err
	}
	leaf, err := x.LeafOfID(id)
	if err != nil {
		return nil, nil
	}
	proof, err := x.Inclusion(leaf, leaf+1)
	if err != nil {
		return nil, err
	}
	events, err := s.store.ReadAll(ctx, proof.Position-1, 1)
	if err != nil {
		return nil, err
	}
	if len(events) != 1 || events[0].ID != id {
		return nil, errors.New("graphql: the log's event at the indexed position is not the one indexed")
	}
	return s.event(events[0]), nil
}
