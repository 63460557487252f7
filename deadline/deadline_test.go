package deadline_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"taskledger/deadline"
	"taskledger/domain"
	"taskledger/eventstore"
	"taskledger/eventstore/memory"
	"taskledger/internal/ledgertest"
	"taskledger/projections"
)

func tick(t *testing.T, b *ledgertest.Builder, s eventstore.Store, now time.Time) deadline.Outcome {
	t.Helper()
	v, err := projections.BuildAt(context.Background(), s, domain.DefaultRegistry(), projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	w := deadline.New(b.Handler(), v.Obligations, slog.New(slog.DiscardHandler))
	out, err := w.Tick(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func slips(t *testing.T, s eventstore.Store, k domain.ObligationKey) []domain.Slip {
	t.Helper()
	v, err := projections.BuildAt(context.Background(), s, domain.DefaultRegistry(), projections.Config{}, projections.Cut{})
	if err != nil {
		t.Fatal(err)
	}
	ob, _ := v.Obligations.Get(k.Stream())
	return ob.Slips
}

func TestWatcherRecordsEachSlipOnce(t *testing.T) {
	s := memory.New()
	b := ledgertest.New(t, s, ledgertest.Shanghai(2025, time.January, 2, 9))
	keys := b.SmallPlan()
	lead, ca, cb, sup := keys[0], keys[1], keys[2], keys[3]
	b.At(ledgertest.Shanghai(2025, time.May, 1, 9))
	// County A claims in time and is verified; county B gets an extension.
	b.Do(domain.ClaimCompletion{ObligationKey: ca, ActingUnit: ca.Unit}, "county.a")
	b.Do(domain.VerifyCompletion{ObligationKey: ca}, "inspector")
	b.Do(domain.RequestExtension{ObligationKey: cb, ActingUnit: cb.Unit, Milestone: "m1", Due: ledgertest.Date(2025, time.August, 31), Reason: "冬季停工"}, "county.b")
	b.Do(domain.GrantExtension{ObligationKey: cb}, "office")

	// The last moment of the due date: nothing has slipped yet.
	if out := tick(t, b, s, ledgertest.Shanghai(2025, time.June, 30, 23)); len(out.Recorded) != 0 {
		t.Fatalf("slips recorded on the due date itself: %d", len(out.Recorded))
	}
	// The next day the lead bureau's milestone has slipped, and only that.
	july := ledgertest.Shanghai(2025, time.July, 1, 0)
	if out := tick(t, b, s, july); len(out.Recorded) != 1 || out.Recorded[0].Stream != lead.Stream() {
		t.Fatalf("first tick after the due date recorded %+v", out.Recorded)
	}
	// Running again, on the same or a later day, records nothing more.
	for _, now := range []time.Time{july, july.Add(time.Hour), ledgertest.Shanghai(2025, time.July, 20, 9)} {
		if out := tick(t, b, s, now); len(out.Recorded) != 0 {
			t.Fatalf("tick at %s recorded %d more slips", now, len(out.Recorded))
		}
	}
	if got := slips(t, s, lead); len(got) != 1 || got[0].Due != ledgertest.Date(2025, time.June, 30) {
		t.Fatalf("lead slips %+v", got)
	}
	// The extended milestone slips at its new date.
	sept := ledgertest.Shanghai(2025, time.September, 1, 8)
	out := tick(t, b, s, sept)
	if len(out.Recorded) != 1 || out.Recorded[0].Stream != cb.Stream() {
		t.Fatalf("tick after the extended date recorded %+v", out.Recorded)
	}
	got := slips(t, s, cb)
	if len(got) != 1 || got[0].Due != ledgertest.Date(2025, time.August, 31) || got[0].OriginalDue != ledgertest.Date(2025, time.June, 30) {
		t.Fatalf("county B slips %+v", got)
	}
	if len(slips(t, s, ca)) != 0 || len(slips(t, s, sup)) != 0 {
		t.Fatal("a verified or not yet due obligation slipped")
	}
	ev := out.Recorded[0].Events[0]
	if ev.Actor != deadline.Actor || !ev.EffectiveAt.Equal(ledgertest.Date(2025, time.August, 31).EndOf()) {
		t.Fatalf("slip envelope: actor %q effective %s", ev.Actor, ev.EffectiveAt)
	}
}
