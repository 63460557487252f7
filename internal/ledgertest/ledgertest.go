// Package ledgertest builds small ledgers for tests: it runs real domain
// commands through real command handling against any store, on a clock the
// test sets.
package ledgertest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"taskledger/command"
	"taskledger/domain"
	"taskledger/eventstore"
)

// Builder records commands into a store.
type Builder struct {
	t      testing.TB
	h      *command.Handler
	now    time.Time
	prefix string
	n      int
}

// New returns a builder over s whose clock starts at start.
func New(t testing.TB, s eventstore.Store, start time.Time) *Builder {
	return &Builder{t: t, h: command.NewHandler(s, domain.DefaultRegistry()), now: start, prefix: uuid.NewString()}
}

// Handler returns the builder's command handler.
func (b *Builder) Handler() *command.Handler { return b.h }

// Now returns the builder's clock.
func (b *Builder) Now() time.Time { return b.now }

// At sets the clock.
func (b *Builder) At(t time.Time) *Builder {
	b.now = t
	return b
}

// Meta returns the metadata of the next command: the clock, the actor and a
// fresh idempotency key.
func (b *Builder) Meta(actor string) domain.Meta {
	b.n++
	return domain.Meta{Actor: actor, Now: b.now, IdempotencyKey: fmt.Sprintf("%s-%d", b.prefix, b.n)}
}

// Try runs a command and returns its result or error.
func (b *Builder) Try(cmd domain.Command, actor string) (command.Result, error) {
	return command.Dispatch(context.Background(), b.h, cmd, b.Meta(actor))
}

// Do runs a command and fails the test if it is refused.
func (b *Builder) Do(cmd domain.Command, actor string) command.Result {
	b.t.Helper()
	res, err := b.Try(cmd, actor)
	if err != nil {
		b.t.Fatalf("%T on %s: %v", cmd, cmd.Stream(), err)
	}
	return res
}

// DoMeta runs a command with explicit metadata (for backdated reports).
func (b *Builder) DoMeta(cmd domain.Command, m domain.Meta) command.Result {
	b.t.Helper()
	res, err := command.Dispatch(context.Background(), b.h, cmd, m)
	if err != nil {
		b.t.Fatalf("%T on %s: %v", cmd, cmd.Stream(), err)
	}
	return res
}

// Date is domain.MustDate for brevity.
func Date(y int, m time.Month, d int) domain.Date { return domain.MustDate(y, m, d) }

// Shanghai returns the instant h:00 on a date in Asia/Shanghai.
func Shanghai(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, domain.Shanghai())
}

// Obligation is a shorthand for an obligation key on plan p.
func Obligation(p domain.PlanID, task int, unit domain.UnitID, role domain.Role) domain.ObligationKey {
	return domain.ObligationKey{Plan: p, Task: domain.TaskNo(task), Unit: unit, Role: role}
}

// SmallPlan records a plan "p" with two tasks, a bureau and two counties,
// and obligations with one milestone each, all at the builder's clock. It
// returns the obligation keys: bureau LEAD on task 1, county A and county B
// IMPLEMENTING on task 1, bureau SUPPORT on task 2.
func (b *Builder) SmallPlan() []domain.ObligationKey {
	b.t.Helper()
	const p = domain.PlanID("p")
	b.Do(domain.RegisterPlan{Plan: p, Title: "测试方案"}, "office")
	b.Do(domain.RegisterUnit{Unit: "bureau.eco", Kind: domain.KindBureau, Name: "生态环境局"}, "office")
	b.Do(domain.RegisterUnit{Unit: "county.a", Kind: domain.KindCounty, Name: "甲县"}, "office")
	b.Do(domain.RegisterUnit{Unit: "county.b", Kind: domain.KindCounty, Name: "乙县"}, "office")
	b.Do(domain.RegisterTask{Plan: p, Task: 1, Title: "淘汰燃煤锅炉"}, "office")
	b.Do(domain.RegisterTask{Plan: p, Task: 2, Title: "完善监测体系"}, "office")
	keys := []domain.ObligationKey{
		Obligation(p, 1, "bureau.eco", domain.RoleLead),
		Obligation(p, 1, "county.a", domain.RoleImplementing),
		Obligation(p, 1, "county.b", domain.RoleImplementing),
		Obligation(p, 2, "bureau.eco", domain.RoleSupport),
	}
	for i, k := range keys {
		b.Do(domain.AssignResponsibility{ObligationKey: k, Basis: "test"}, "office")
		due := Date(2025, time.June, 30)
		if i == 3 {
			due = Date(2025, time.December, 31)
		}
		b.Do(domain.ScheduleMilestone{ObligationKey: k, Milestone: "m1", What: "完成", Due: due}, "office")
	}
	return keys
}

// DirectLedger lets a test run a simulation (package demo) straight on a
// command handler, on a ledger whose plan the test imported itself. The
// application layer's Simulate is the only door for real use: it keeps
// simulations on simulated ledgers.
type DirectLedger struct{ H *command.Handler }

// Registry encodes and decodes events.
func (d DirectLedger) Registry() *domain.Registry { return d.H.Registry() }

// Envelope wraps decided payloads into events.
func (d DirectLedger) Envelope(meta domain.Meta, datas []domain.EventData) ([]domain.Event, error) {
	return d.H.Envelope(meta, datas)
}

// Append appends to the handler's store.
func (d DirectLedger) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []domain.Event) (eventstore.AppendResult, error) {
	return d.H.Store().Append(ctx, stream, expected, events)
}

// ReadAll reads the handler's store.
func (d DirectLedger) ReadAll(ctx context.Context, after uint64, limit int) ([]domain.Event, error) {
	return d.H.Store().ReadAll(ctx, after, limit)
}
