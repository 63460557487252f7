package projections

import (
	"encoding/gob"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"

	"taskledger/domain"
)

// TaskKey identifies a task across plans.
type TaskKey struct {
	Plan domain.PlanID
	Task domain.TaskNo
}

// Catalog is the read model of plans, tasks and units: what a plan says and
// who the units are, with renames and merges applied.
type Catalog struct {
	cursor
	schemes   map[domain.PlanID][]AdoptedScheme
	published map[domain.PlanID][]PublishedScorecard
	plans     map[domain.PlanID]*domain.Plan
	tasks     map[TaskKey]*domain.Task
	units     map[domain.UnitID]*domain.Unit
}

func newCatalog() *Catalog {
	return &Catalog{
		schemes:   map[domain.PlanID][]AdoptedScheme{},
		published: map[domain.PlanID][]PublishedScorecard{},
		plans:     map[domain.PlanID]*domain.Plan{},
		tasks:     map[TaskKey]*domain.Task{},
		units:     map[domain.UnitID]*domain.Unit{},
	}
}

// Name implements Model.
func (c *Catalog) Name() string { return "catalog" }

// Apply implements Model.
func (c *Catalog) Apply(e *domain.Event, data domain.EventData) error {
	if _, ok := data.(domain.ProgressReported); ok {
		// About an obligation (domain.RefOf), most of any log: nothing
		// the catalog keeps.
		return c.pass(e)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.check(e); err != nil {
		return err
	}
	var agg domain.Aggregate
	switch ref := domain.RefOf(data); ref.Kind {
	case domain.StreamPlan:
		if c.plans[ref.Plan] == nil {
			c.plans[ref.Plan] = &domain.Plan{}
		}
		agg = c.plans[ref.Plan]
	case domain.StreamTask:
		agg = c.task(TaskKey{ref.Plan, ref.Task})
	case domain.StreamUnit:
		agg = c.unit(ref.Unit)
	}
	if agg != nil {
		if err := agg.Apply(e, data); err != nil {
			return err
		}
	}
	switch d := data.(type) {
	case domain.SchemeAdopted:
		c.schemes[d.Plan] = append(c.schemes[d.Plan], AdoptedScheme{SchemeAdopted: d, EventID: e.ID, RecordedAt: e.RecordedAt})
	case domain.ScorecardPublished:
		c.published[d.Plan] = append(c.published[d.Plan], PublishedScorecard{ScorecardPublished: d, EventID: e.ID, RecordedAt: e.RecordedAt, Actor: e.Actor})
	}
	c.pos.Store(e.Position)
	return nil
}

func (c *Catalog) task(k TaskKey) *domain.Task {
	if c.tasks[k] == nil {
		c.tasks[k] = &domain.Task{}
	}
	return c.tasks[k]
}

func (c *Catalog) unit(id domain.UnitID) *domain.Unit {
	if c.units[id] == nil {
		c.units[id] = &domain.Unit{}
	}
	return c.units[id]
}

// Plans returns the registered plans, by ID.
func (c *Catalog) Plans() []domain.Plan {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]domain.Plan, 0, len(c.plans))
	for _, p := range c.plans {
		if p.Registered {
			out = append(out, *p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Plan returns one plan.
func (c *Catalog) Plan(id domain.PlanID) (domain.Plan, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p, ok := c.plans[id]
	if !ok || !p.Registered {
		return domain.Plan{}, false
	}
	return *p, true
}

// Tasks returns the registered tasks of a plan in number order.
func (c *Catalog) Tasks(plan domain.PlanID) []domain.Task {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []domain.Task
	for k, t := range c.tasks {
		if k.Plan == plan && t.Registered {
			out = append(out, *t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].No < out[j].No })
	return out
}

// Task returns one task.
func (c *Catalog) Task(plan domain.PlanID, no domain.TaskNo) (domain.Task, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.tasks[TaskKey{plan, no}]
	if !ok || !t.Registered {
		return domain.Task{}, false
	}
	return *t, true
}

// Units returns every registered unit, by ID.
func (c *Catalog) Units() []domain.Unit {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]domain.Unit, 0, len(c.units))
	for _, u := range c.units {
		if u.Registered {
			out = append(out, *u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Unit returns one unit.
func (c *Catalog) Unit(id domain.UnitID) (domain.Unit, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	u, ok := c.units[id]
	if !ok || !u.Registered {
		return domain.Unit{}, false
	}
	return *u, true
}

// Successor follows merges from a unit to the unit that now carries its
// history; a unit never merged is its own successor.
func (c *Catalog) Successor(id domain.UnitID) domain.UnitID {
	c.mu.RLock()
	defer c.mu.RUnlock()
	seen := map[domain.UnitID]bool{}
	for {
		u, ok := c.units[id]
		if !ok || u.MergedInto == "" || seen[id] {
			return id
		}
		seen[id] = true
		id = u.MergedInto
	}
}

// ResolveUnit finds a unit by ID, current name, former name or alias.
func (c *Catalog) ResolveUnit(ref string) (domain.Unit, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if u, ok := c.units[domain.UnitID(ref)]; ok && u.Registered {
		return *u, nil
	}
	var found []domain.Unit
	for _, u := range c.units {
		if !u.Registered {
			continue
		}
		if u.Name == ref || contains(u.Aliases, ref) || contains(u.FormerNames, ref) {
			found = append(found, *u)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return domain.Unit{}, fmt.Errorf("unit %q: %w", ref, domain.ErrNotFound)
	}
	sort.Slice(found, func(i, j int) bool { return found[i].ID < found[j].ID })
	return domain.Unit{}, fmt.Errorf("unit %q is ambiguous: it names %s and %s: %w", ref, found[0].ID, found[1].ID, domain.ErrInvalidArgument)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// AdoptedScheme is a scoring scheme a plan adopted, with its document.
type AdoptedScheme struct {
	domain.SchemeAdopted
	EventID    uuid.UUID
	RecordedAt time.Time
}

// Schemes returns the schemes a plan adopted, in adoption order.
func (c *Catalog) Schemes(plan domain.PlanID) []AdoptedScheme {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.schemes[plan])
}

// PublishedScorecard is a publication of a year's scorecards of one kind.
type PublishedScorecard struct {
	domain.ScorecardPublished
	EventID    uuid.UUID
	RecordedAt time.Time
	Actor      string
}

// Published returns a plan's published scorecards, in publication order.
func (c *Catalog) Published(plan domain.PlanID) []PublishedScorecard {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.published[plan])
}

type catalogState struct {
	Pos       uint64
	Schemes   map[domain.PlanID][]AdoptedScheme
	Published map[domain.PlanID][]PublishedScorecard
	Plans     map[domain.PlanID]*domain.Plan
	Tasks     map[TaskKey]*domain.Task
	Units     map[domain.UnitID]*domain.Unit
}

func (c *Catalog) state() any { return catalogState{} }

func (c *Catalog) encode(enc *gob.Encoder) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return enc.Encode(catalogState{c.pos.Load(), c.schemes, c.published, c.plans, c.tasks, c.units})
}

func (c *Catalog) decode(dec *gob.Decoder) error {
	var s catalogState
	if err := dec.Decode(&s); err != nil {
		return err
	}
	fresh := newCatalog()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pos.Store(s.Pos)
	c.plans, c.tasks, c.units = orEmpty(s.Plans, fresh.plans), orEmpty(s.Tasks, fresh.tasks), orEmpty(s.Units, fresh.units)
	c.schemes = orEmpty(s.Schemes, fresh.schemes)
	c.published = orEmpty(s.Published, fresh.published)
	return nil
}

// orEmpty returns m, or empty when m is nil (gob does not send empty maps).
func orEmpty[K comparable, V any](m, empty map[K]V) map[K]V {
	if m == nil {
		return empty
	}
	return m
}
