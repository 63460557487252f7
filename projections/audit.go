package projections

import (
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"time"

	"taskledger/domain"
)

// Audit indexes the log for inspectors: for each plan, task and unit, the
// positions of the events that concern it, so a trail is read without
// scanning the log; and the events recorded long after the moment they speak
// of (backdated beyond the grace), which an inspector should look at twice.
type Audit struct {
	cursor
	grace     int64 // nanoseconds
	byPlan    map[domain.PlanID]*positions
	byTask    map[TaskKey]*positions
	byUnit    map[domain.UnitID]*positions
	backdated map[uint64]bool
	// lastPlan and lastTask remember the lists the previous event went
	// to: most events of a log are about the plan (and often the task)
	// the one before was.
	lastPlan *positions
	lastTask *positions
}

func newAudit(grace time.Duration) *Audit {
	return &Audit{
		grace:     grace.Nanoseconds(),
		byPlan:    map[domain.PlanID]*positions{},
		byTask:    map[TaskKey]*positions{},
		byUnit:    map[domain.UnitID]*positions{},
		backdated: map[uint64]bool{},
	}
}

// positions is a list of log positions in log order, kept compact: each as
// its distance from the one before, in a varint (one byte for most,
// where eight would hold a plain uint64).
type positions struct {
	// plan and task name the list in the lastPlan and lastTask caches.
	plan domain.PlanID
	task domain.TaskNo
	last uint64
	n    int
	buf  []byte
}

// add appends pos, which must not be below the last one added (the
// model's cursor refuses events that go back).
func (p *positions) add(pos uint64) {
	p.buf = binary.AppendUvarint(p.buf, pos-p.last)
	p.last = pos
	p.n++
}

// list returns the positions as a new slice.
func (p *positions) list() []uint64 {
	if p == nil {
		return nil
	}
	out := make([]uint64, 0, p.n)
	var at uint64
	for b := p.buf; len(b) > 0; {
		d, n := binary.Uvarint(b)
		at += d
		out = append(out, at)
		b = b[n:]
	}
	return out
}

// positionsOf builds a list from positions in log order; it refuses a
// list that goes back.
func positionsOf(list []uint64) (*positions, error) {
	p := &positions{}
	for _, pos := range list {
		if pos < p.last {
			return nil, fmt.Errorf("positions out of order: %d after %d", pos, p.last)
		}
		p.add(pos)
	}
	return p, nil
}

// listOf returns the list a key's positions go to, creating it.
func listOf[K comparable](m map[K]*positions, k K) *positions {
	p := m[k]
	if p == nil {
		p = &positions{}
		m[k] = p
	}
	return p
}

// Name implements Model.
func (a *Audit) Name() string { return "audit" }

// Apply implements Model.
func (a *Audit) Apply(e *domain.Event, data domain.EventData) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.check(e); err != nil {
		return err
	}
	pos := e.Position
	// A progress report, most of any log, concerns its obligation's plan,
	// task and unit, as domain.RefOf and domain.UnitsOf say; reading them
	// from its key spares their type switches and the slice UnitsOf
	// allocates.
	if r, ok := data.(domain.ProgressReported); ok {
		a.index(pos, r.Plan, r.Task)
		if r.Unit != "" {
			listOf(a.byUnit, r.Unit).add(pos)
		}
	} else {
		ref := domain.RefOf(data)
		a.index(pos, ref.Plan, ref.Task)
		for _, u := range domain.UnitsOf(data) {
			listOf(a.byUnit, u).add(pos)
		}
	}
	if e.Backdated(time.Duration(a.grace)) {
		a.backdated[pos] = true
	}
	a.pos.Store(pos)
	return nil
}

// index adds pos to its plan's and its task's lists, if it has them.
func (a *Audit) index(pos uint64, plan domain.PlanID, task domain.TaskNo) {
	if plan != "" {
		if a.lastPlan == nil || a.lastPlan.plan != plan {
			a.lastPlan = listOf(a.byPlan, plan)
			a.lastPlan.plan = plan
		}
		a.lastPlan.add(pos)
	}
	if task != 0 {
		if a.lastTask == nil || a.lastTask.task != task || a.lastTask.plan != plan {
			a.lastTask = listOf(a.byTask, TaskKey{plan, task})
			a.lastTask.plan, a.lastTask.task = plan, task
		}
		a.lastTask.add(pos)
	}
}

// TaskPositions returns the log positions of the events about a task.
func (a *Audit) TaskPositions(plan domain.PlanID, no domain.TaskNo) []uint64 {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.byTask[TaskKey{plan, no}].list()
}

// UnitPositions returns the log positions of the events about a unit.
func (a *Audit) UnitPositions(id domain.UnitID) []uint64 {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.byUnit[id].list()
}

// PlanPositions returns the log positions of the events about a plan.
func (a *Audit) PlanPositions(id domain.PlanID) []uint64 {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.byPlan[id].list()
}

// Backdated reports whether the event at a position was recorded longer
// after the moment it speaks of than the grace allows.
func (a *Audit) Backdated(pos uint64) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.backdated[pos]
}

// BackdatedCount returns how many events are flagged as backdated.
func (a *Audit) BackdatedCount() int {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return len(a.backdated)
}

type auditState struct {
	Pos       uint64
	Grace     int64
	ByPlan    map[domain.PlanID][]uint64
	ByTask    map[TaskKey][]uint64
	ByUnit    map[domain.UnitID][]uint64
	Backdated map[uint64]bool
}

func (a *Audit) state() any { return auditState{} }

func (a *Audit) encode(enc *gob.Encoder) error {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return enc.Encode(auditState{a.pos.Load(), a.grace, lists(a.byPlan), lists(a.byTask), lists(a.byUnit), a.backdated})
}

// lists turns compact lists into plain ones, as snapshots hold them.
func lists[K comparable](m map[K]*positions) map[K][]uint64 {
	out := make(map[K][]uint64, len(m))
	for k, p := range m {
		out[k] = p.list()
	}
	return out
}

// compact turns a snapshot's plain lists into compact ones.
func compact[K comparable](m map[K][]uint64) (map[K]*positions, error) {
	out := make(map[K]*positions, len(m))
	for k, list := range m {
		p, err := positionsOf(list)
		if err != nil {
			return nil, fmt.Errorf("audit snapshot: %v: %w", k, err)
		}
		out[k] = p
	}
	return out, nil
}

func (a *Audit) decode(dec *gob.Decoder) error {
	var s auditState
	if err := dec.Decode(&s); err != nil {
		return fmt.Errorf("audit snapshot: %w", err)
	}
	if s.Grace != a.grace {
		return fmt.Errorf("audit snapshot was taken with a backdating grace of %d ns, configured %d ns", s.Grace, a.grace)
	}
	byPlan, err := compact(s.ByPlan)
	if err != nil {
		return err
	}
	byTask, err := compact(s.ByTask)
	if err != nil {
		return err
	}
	byUnit, err := compact(s.ByUnit)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pos.Store(s.Pos)
	a.byPlan, a.byTask, a.byUnit = byPlan, byTask, byUnit
	a.lastPlan, a.lastTask = nil, nil
	a.backdated = orEmpty(s.Backdated, map[uint64]bool{})
	return nil
}
