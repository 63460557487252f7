package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"taskledger/app"
	"taskledger/auth"
	"taskledger/domain"
	"taskledger/projections"
)

// TestAppealListAndRule: the committee lists a county's pending appeal
// and rules on it; a second ruling is refused in Chinese and English; a
// unit's token may not rule.
func TestAppealListAndRule(t *testing.T) {
	chdirRepo(t)
	store := filepath.Join(t.TempDir(), "ledger")
	if code, out, stderr := runCLI(t, clock, "import", "--store", store, "examples/chifeng-air-quality-plan.txt"); code != 0 {
		t.Fatalf("import: %d\n%s\n%s", code, out, stderr)
	}
	var task int
	var role string
	// A finding and the county's appeal against it, through the
	// application layer (the dashboard's and the API's way).
	a := &cli{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }, now: func() time.Time { return clock }}
	err := a.withDoor(context.Background(), store, func(d door, l *ledger) error {
		ctx := context.Background()
		v, err := l.views(ctx, projections.Cut{}, a.logger())
		if err != nil {
			return err
		}
		for _, ob := range v.Obligations.All() {
			if ob.Key.Unit == "county.ningcheng" && ob.Key.Role == domain.RoleImplementing {
				task, role = int(ob.Key.Task), string(ob.Key.Role)
				break
			}
		}
		ref := app.ObligationRef{Task: task, Unit: "county.ningcheng", Role: role}
		res, err := d.svc.RecordFinding(ctx, auth.Principal{TokenID: "i", Role: auth.Inspector}, app.FindingInput{
			Obligation: ref, Kind: "false_report", Severity: "major", Summary: "虚报进度", IdempotencyKey: "f"})
		if err != nil {
			return err
		}
		_, err = d.svc.FileAppeal(ctx, auth.Principal{TokenID: "c", Role: auth.County, Unit: "county.ningcheng"}, app.AppealInput{
			Obligation: ref, Target: res.Events[0].ID.String(), Reasons: "数据口径不同", IdempotencyKey: "a"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	code, committee, stderr := runCLI(t, clock, "token", "create", "--store", store, "--role", "committee")
	if code != 0 {
		t.Fatalf("token: %d %s", code, stderr)
	}
	committee = strings.TrimSpace(committee)
	code, out, stderr := runCLI(t, clock, "appeal", "list", "--store", store, "--token", committee)
	if code != 0 || !strings.Contains(out, "宁城县") || !strings.Contains(out, "虚报进度") || !strings.Contains(out, "待裁决") {
		t.Fatalf("list: %d\n%s\n%s", code, out, stderr)
	}
	if strings.Contains(out, "county.ningcheng") {
		t.Errorf("the list shows an internal id:\n%s", out)
	}
	rule := []string{"appeal", "rule", "--store", store, "--token", committee, "--task", strconv.Itoa(task), "--unit", "宁城县", "--role", role,
		"--appeal", "1", "--outcome", "overturned", "--reasons", "经复核不构成虚报"}
	if code, out, stderr := runCLI(t, clock, rule...); code != 0 || !strings.Contains(out, "已记录") {
		t.Fatalf("rule: %d\n%s\n%s", code, out, stderr)
	}
	if code, out, _ := runCLI(t, clock, rule...); code != 0 || !strings.Contains(out, "未重复记录") {
		t.Fatalf("the same ruling again: %d\n%s", code, out)
	}
	again := append(rule[:len(rule)-4:len(rule)-4], "--outcome", "upheld", "--reasons", "改判")
	if code, _, stderr := runCLI(t, clock, again...); code == 0 || !strings.Contains(stderr, "已经裁决") || !strings.Contains(stderr, "CONFLICT") {
		t.Fatalf("a second ruling: %d\n%s", code, stderr)
	}
	_, county, _ := runCLI(t, clock, "token", "create", "--store", store, "--role", "county", "--unit", "宁城县")
	unit := append(append([]string{}, rule...), "--token", strings.TrimSpace(county))
	if code, _, stderr := runCLI(t, clock, unit...); code == 0 || !strings.Contains(stderr, "FORBIDDEN") {
		t.Fatalf("a county ruling: %d\n%s", code, stderr)
	}
	// The operator at the machine may rule as the committee may: here a
	// second ruling, refused.
	if code, _, stderr := runCLI(t, clock, "appeal", "rule", "--store", store, "--task", strconv.Itoa(task), "--unit", "宁城县", "--role", role,
		"--appeal", "1", "--outcome", "upheld", "--reasons", "改判"); code == 0 || !strings.Contains(stderr, "CONFLICT") {
		t.Fatalf("the operator ruling twice: %d\n%s", code, stderr)
	}
	if code, out, _ := runCLI(t, clock, "appeal", "list", "--store", store, "--token", committee, "--all"); code != 0 || !strings.Contains(out, "撤销扣分") {
		t.Fatalf("list --all: %d\n%s", code, out)
	}
}
