package projections

import (
	"encoding/gob"
	"fmt"
	"slices"
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
	byPlan    map[domain.PlanID][]uint64
	byTask    map[TaskKey][]uint64
	byUnit    map[domain.UnitID][]uint64
	backdated map[uint64]bool
}

func newAudit(grace time.Duration) *Audit {
	return &Audit{
		grace:     grace.Nanoseconds(),
		byPlan:    map[domain.PlanID][]uint64{},
		byTask:    map[TaskKey][]uint64{},
		byUnit:    map[domain.UnitID][]uint64{},
		backdated: map[uint64]bool{},
	}
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
	ref := domain.RefOf(data)
	if ref.Plan != "" {
		a.byPlan[ref.Plan] = append(a.byPlan[ref.Plan], pos)
	}
	if ref.Task != 0 {
		k := TaskKey{ref.Plan, ref.Task}
		a.byTask[k] = append(a.byTask[k], pos)
	}
	for _, u := range domain.UnitsOf(data) {
		a.byUnit[u] = append(a.byUnit[u], pos)
	}
	if e.Backdated(time.Duration(a.grace)) {
		a.backdated[pos] = true
	}
	a.pos.Store(pos)
	return nil
}

// TaskPositions returns the log positions of the events about a task.
func (a *Audit) TaskPositions(plan domain.PlanID, no domain.TaskNo) []uint64 {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return slices.Clone(a.byTask[TaskKey{plan, no}])
}

// UnitPositions returns the log positions of the events about a unit.
func (a *Audit) UnitPositions(id domain.UnitID) []uint64 {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return slices.Clone(a.byUnit[id])
}

// PlanPositions returns the log positions of the events about a plan.
func (a *Audit) PlanPositions(id domain.PlanID) []uint64 {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return slices.Clone(a.byPlan[id])
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

func (a *Audit) encode(enc *gob.Encoder) error {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return enc.Encode(auditState{a.pos.Load(), a.grace, a.byPlan, a.byTask, a.byUnit, a.backdated})
}

func (a *Audit) decode(dec *gob.Decoder) error {
	var s auditState
	if err := dec.Decode(&s); err != nil {
		return fmt.Errorf("audit snapshot: %w", err)
	}
	if s.Grace != a.grace {
		return fmt.Errorf("audit snapshot was taken with a backdating grace of %d ns, configured %d ns", s.Grace, a.grace)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pos.Store(s.Pos)
	a.byPlan = orEmpty(s.ByPlan, map[domain.PlanID][]uint64{})
	a.byTask = orEmpty(s.ByTask, map[TaskKey][]uint64{})
	a.byUnit = orEmpty(s.ByUnit, map[domain.UnitID][]uint64{})
	a.backdated = orEmpty(s.Backdated, map[uint64]bool{})
	return nil
}
