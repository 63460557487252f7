package graphql

import (
	"context"
	"strings"
	"testing"
	"time"

	"taskledger/auth"
	"taskledger/internal/ledgertest"
)

// The reminders a tick records show in the obligation's audit trail, in
// Chinese, with the units by name: 逾期催办 to the county, 升级督办 to the
// task's lead unit.
func TestRemindersShowInTheAuditTrail(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.clock.set(ledgertest.Shanghai(2025, time.July, 8, 9)) // 8 days after the June due date
	ctx := context.Background()
	out, err := e.server.App().Tick(ctx, auth.SystemPrincipal())
	if err != nil || len(out.Reminders) == 0 {
		t.Fatalf("tick: %d reminders, %v", len(out.Reminders), err)
	}
	head, _ := e.store.Head(ctx)
	if err := e.runner.WaitFor(ctx, head); err != nil {
		t.Fatal(err)
	}
	d := e.ok("inspector", `{ auditTrail(unit: "county.a") { events { type actor summary } } }`, nil)
	var got []string
	for _, ev := range path(d, "auditTrail", "events").([]any) {
		if path(ev, "type") == "ReminderRecorded" {
			if path(ev, "actor") != "system" {
				t.Errorf("a reminder recorded by %v", path(ev, "actor"))
			}
			got = append(got, path(ev, "summary").(string))
		}
	}
	all := strings.Join(got, "\n")
	// Milestones by their wording in the plan, not by id.
	for _, want := range []string{"逾期催办：甲县（落实）第1项节点「完成」已于2025-06-30到期", "升级督办（牵头单位生态环境局）：甲县（落实）第1项节点「完成」逾期8天"} {
		if !strings.Contains(all, want) {
			t.Errorf("the trail of 甲县 does not say %q; it says:\n%s", want, all)
		}
	}
	if strings.Contains(all, "county.") || strings.Contains(all, "bureau.") || strings.Contains(all, "m1") {
		t.Errorf("internal ids in the trail:\n%s", all)
	}
}
