package app_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/bulletin"
)

func TestIssueBulletinNumbersRecordsAndReproduces(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	f.now = time.Date(2025, 7, 5, 10, 0, 0, 0, shanghai)
	first, err := f.svc.IssueBulletin(ctx, coordinator, app.BulletinInput{Period: "2025-06", IdempotencyKey: "b1"})
	if err != nil {
		t.Fatal(err)
	}
	if first.Issued.Number != 1 || first.Issued.Year != 2025 || first.Issued.Digest != bulletin.Digest(first.PDF) || len(first.Events) != 1 {
		t.Fatalf("first bulletin: %+v", first.Issued)
	}
	if first.Events[0].Actor != coordinator.Actor() || !first.Events[0].RecordedAt.Equal(f.now) {
		t.Fatalf("recorded by %s at %s", first.Events[0].Actor, first.Events[0].RecordedAt)
	}
	if first.Bulletin.NumberText() != "2025年第1期" || first.Bulletin.Counts.Duties == 0 {
		t.Fatalf("content %s with %+v", first.Bulletin.NumberText(), first.Bulletin.Counts)
	}

	f.now = f.now.Add(time.Hour)
	head := f.head()
	again, err := f.svc.IssueBulletin(ctx, coordinator, app.BulletinInput{Period: "2025-06", IdempotencyKey: "b1"})
	if err != nil || !again.Duplicate || f.head() != head || !bytes.Equal(again.PDF, first.PDF) {
		t.Fatalf("the same request again: duplicate %v, err %v, head %d → %d, same PDF %v", again.Duplicate, err, head, f.head(), bytes.Equal(again.PDF, first.PDF))
	}
	_, err = f.svc.IssueBulletin(ctx, coordinator, app.BulletinInput{Period: "2025-05", IdempotencyKey: "b1"})
	f.refused(err, app.IdempotencyConflict, head)
	_, err = f.svc.IssueBulletin(ctx, coordinator, app.BulletinInput{Period: "2025-06", IdempotencyKey: "b-other"})
	f.refused(err, app.Conflict, head)

	second, err := f.svc.IssueBulletin(ctx, coordinator, app.BulletinInput{Period: "2025Q2", IdempotencyKey: "b2"})
	if err != nil || second.Issued.Number != 2 {
		t.Fatalf("second bulletin of 2025: %+v, %v", second.Issued, err)
	}

	// Later events do not change an issued bulletin: rendered again from
	// its as-of point it has the recorded digest, byte for byte.
	k := f.duty()
	if _, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: app.ObligationRef{Task: int(k.Task), Role: string(k.Role)}, Percent: 50, IdempotencyKey: "r"}); err != nil {
		t.Fatal(err)
	}
	f.sync()
	ib, _, pdf, err := f.svc.Bulletin(ctx, inspector, "", 2025, 1)
	if err != nil || !ib.Verified || !bytes.Equal(pdf, first.PDF) {
		t.Fatalf("reproduced bulletin 1: verified %v, same bytes %v, %v", ib.Verified, bytes.Equal(pdf, first.PDF), err)
	}
	list, err := f.svc.Bulletins(ctx, ningcheng, "")
	if err != nil || len(list) != 2 || list[1].NumberText != "2025年第2期" || list[1].PeriodText != "2025年第二季度" {
		t.Fatalf("bulletins: %+v, %v", list, err)
	}
}

func TestIssueBulletinRefusals(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	f.now = time.Date(2025, 7, 5, 10, 0, 0, 0, shanghai)
	before := f.head()
	future := time.Date(2025, 8, 1, 0, 0, 0, 0, shanghai)
	cases := []struct {
		name string
		p    auth.Principal
		in   app.BulletinInput
		code app.Code
	}{
		{"bad month", coordinator, app.BulletinInput{Period: "2025-13", IdempotencyKey: "a"}, app.InvalidArgument},
		{"bad quarter", coordinator, app.BulletinInput{Period: "2025Q5", IdempotencyKey: "b"}, app.InvalidArgument},
		{"period not begun", coordinator, app.BulletinInput{Period: "2025-08", IdempotencyKey: "c"}, app.InvalidArgument},
		{"as of the future", coordinator, app.BulletinInput{Period: "2025-06", AsOf: &future, IdempotencyKey: "d"}, app.InvalidArgument},
		{"no key", coordinator, app.BulletinInput{Period: "2025-06"}, app.InvalidArgument},
		{"a county may not issue", ningcheng, app.BulletinInput{Period: "2025-06", IdempotencyKey: "e"}, app.Forbidden},
		{"an inspector may not issue", inspector, app.BulletinInput{Period: "2025-06", IdempotencyKey: "f"}, app.Forbidden},
	}
	for _, c := range cases {
		_, err := f.svc.IssueBulletin(ctx, c.p, c.in)
		if app.CodeOf(err) != c.code {
			t.Errorf("%s: want %s, got %s: %v", c.name, c.code, app.CodeOf(err), err)
		}
	}
	if h := f.head(); h != before {
		t.Fatalf("refused bulletins recorded %d events", h-before)
	}
	if _, _, _, err := f.svc.Bulletin(ctx, coordinator, "", 2025, 9); app.CodeOf(err) != app.NotFound {
		t.Fatalf("an unissued bulletin: %v", err)
	}
}
