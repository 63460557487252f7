package app_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"taskledger/app"
	"taskledger/domain"
	"taskledger/evidence"
	"taskledger/evidence/evidencetest"
)

// fieldOf is the input field a refusal names, as every door reads it.
func fieldOf(t *testing.T, err error) []string {
	t.Helper()
	x := app.Explain(err)
	if x == nil {
		t.Fatalf("want a refusal, got %v", err)
	}
	return x.Field
}

// A refusal of one field of a use case's input names that field, in the
// input's own names, nested where the field is; a refusal of the input as
// a whole names none. The refusal's code and message stay what they were.
func TestRefusalsNameTheInputField(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	k := f.duty()
	own := app.ObligationRef{Task: int(k.Task), Role: string(k.Role)}
	theirs := app.ObligationRef{Task: int(k.Task), Unit: string(k.Unit), Role: string(k.Role)}
	cases := []struct {
		name string
		run  func() error
		want []string
	}{
		{"percent above 100", func() error {
			_, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: own, Percent: 140, IdempotencyKey: "a"})
			return err
		}, []string{"percent"}},
		{"a malformed month", func() error {
			_, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: own, Percent: 10, Period: "2025-13", IdempotencyKey: "b"})
			return err
		}, []string{"period"}},
		{"a malformed plan id", func() error {
			_, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: app.ObligationRef{Plan: "no such plan!", Task: 1, Role: "IMPLEMENTING"}, Percent: 10, IdempotencyKey: "c"})
			return err
		}, []string{"obligation", "plan"}},
		{"an unknown role", func() error {
			_, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: app.ObligationRef{Task: 1, Role: "BOSS"}, Percent: 10, IdempotencyKey: "d"})
			return err
		}, []string{"obligation", "role"}},
		{"no unit for the office", func() error {
			_, err := f.svc.VerifyCompletion(ctx, inspector, app.ClaimDecisionInput{Obligation: own, IdempotencyKey: "e"})
			return err
		}, []string{"obligation", "unit"}},
		{"a task not registered", func() error {
			_, err := f.svc.AssignResponsibility(ctx, coordinator, app.AssignInput{Obligation: app.ObligationRef{Task: 999, Unit: "county.ningcheng", Role: "IMPLEMENTING"}, IdempotencyKey: "f"})
			return err
		}, []string{"obligation", "task"}},
		{"a rejection's reason, kept in Note", func() error {
			_, err := f.svc.RejectCompletion(ctx, inspector, app.ClaimDecisionInput{Obligation: theirs, Note: "a\u202eb", IdempotencyKey: "g"})
			return err
		}, []string{"note"}},
		{"an unknown milestone", func() error {
			_, err := f.svc.VerifyCompletion(ctx, inspector, app.ClaimDecisionInput{Obligation: theirs, Milestone: "m99", IdempotencyKey: "h"})
			return err
		}, []string{"milestone"}},
		{"an unknown unit to take a duty over", func() error {
			_, err := f.svc.ReassignResponsibility(ctx, coordinator, app.ReassignInput{Obligation: theirs, ToUnit: "无此单位", IdempotencyKey: "i"})
			return err
		}, []string{"toUnit"}},
		{"the second part of a split", func() error {
			_, err := f.svc.SplitUnit(ctx, coordinator, app.SplitInput{Unit: "宁城县", Into: []app.SplitPart{{Unit: "敖汉旗"}, {Unit: "Not An Id!"}}, Heir: "敖汉旗", IdempotencyKey: "j"})
			return err
		}, []string{"into", "1", "unit"}},
		{"an heir not among the parts", func() error {
			_, err := f.svc.SplitUnit(ctx, coordinator, app.SplitInput{Unit: "宁城县", Into: []app.SplitPart{{Unit: "敖汉旗"}, {Unit: "county.ningcheng-east", Name: "宁城东区"}}, Heir: "红山区", IdempotencyKey: "k"})
			return err
		}, []string{"heir"}},
		{"an air figure without valid days", func() error {
			_, err := f.svc.RecordIndicator(ctx, coordinator, app.IndicatorInput{Unit: "宁城县", Metric: "pm25", Period: "2025-02", Value: 30, IdempotencyKey: "l"})
			return err
		}, []string{"validDays"}},
		{"a scorecard of no kind", func() error {
			_, err := f.svc.PublishScorecard(ctx, committee, app.PublishInput{Year: 2025, Kind: "weekly", IdempotencyKey: "m"})
			return err
		}, []string{"kind"}},
		{"a bulletin period that is none", func() error {
			_, err := f.svc.IssueBulletin(ctx, coordinator, app.BulletinInput{Period: "2025Q9", IdempotencyKey: "n"})
			return err
		}, []string{"period"}},
		{"a missing idempotency key", func() error {
			_, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: own, Percent: 10})
			return err
		}, []string{"idempotencyKey"}},
		{"no pending claim", func() error {
			_, err := f.svc.VerifyCompletion(ctx, inspector, app.ClaimDecisionInput{Obligation: theirs, IdempotencyKey: "o"})
			return err
		}, nil},
	}
	if _, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: own, Percent: 10, IdempotencyKey: "same"}); err != nil {
		t.Fatal(err)
	}
	f.sync()
	cases = append(cases, struct {
		name string
		run  func() error
		want []string
	}{"a key reused for another request", func() error {
		_, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: own, Percent: 20, IdempotencyKey: "same"})
		return err
	}, nil})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.head()
			err := c.run()
			if got := fieldOf(t, err); !slices.Equal(got, c.want) {
				t.Errorf("field %q, want %q (%v)", got, c.want, err)
			}
			if f.head() != before {
				t.Errorf("a refusal recorded %d events", f.head()-before)
			}
		})
	}
}

// Marking a refusal with its field keeps it what it was: an application
// error stays one (its code, key and both texts), and a domain refusal
// keeps its code and the domain's sentence.
func TestAFieldKeepsTheRefusal(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	k := f.duty()
	own := app.ObligationRef{Task: int(k.Task), Role: string(k.Role)}
	_, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: own, Percent: 10, Note: "a\u202eb", IdempotencyKey: "a"})
	ae, ok := err.(*app.Error)
	if !ok || ae.Code != app.InvalidArgument || ae.Key == "" || ae.MsgZH == "" || !slices.Equal(ae.Field, []string{"note"}) {
		t.Fatalf("a bidi control in the note: %#v", err)
	}
	_, err = f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: own, Percent: 101, IdempotencyKey: "b"})
	if !errors.Is(err, domain.ErrInvalidProgress) || app.CodeOf(err) != app.InvalidArgument || !strings.Contains(err.Error(), "101") {
		t.Fatalf("percent 101: %v", err)
	}
}

// Evidence refusals name the attachment by its place in the list and the
// part of it at fault; a file attached twice names the list.
func TestAttachmentRefusalsNameTheAttachment(t *testing.T) {
	f := withEvidence(t, evidence.NewMemory(), 0)
	ctx := context.Background()
	k := f.duty()
	own := app.ObligationRef{Task: int(k.Task), Role: string(k.Role)}
	up, err := f.svc.UploadEvidence(ctx, ningcheng, app.UploadInput{Name: "报告.pdf", Data: evidencetest.PDF("整改报告")})
	if err != nil {
		t.Fatal(err)
	}
	good := app.EvidenceHandle{SHA256: up.SHA256, Name: "报告.pdf"}
	cases := []struct {
		name    string
		handles []app.EvidenceHandle
		want    []string
	}{
		{"a digest that is none", []app.EvidenceHandle{good, {SHA256: "xyz", Name: "a.pdf"}}, []string{"attachments", "1", "sha256"}},
		{"a file never uploaded", []app.EvidenceHandle{{SHA256: strings.Repeat("ab", 32), Name: "a.pdf"}}, []string{"attachments", "0", "sha256"}},
		{"a name that is no name", []app.EvidenceHandle{{SHA256: up.SHA256, Name: "/"}}, []string{"attachments", "0", "name"}},
		{"the same file twice", []app.EvidenceHandle{good, good}, []string{"attachments"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: own, Percent: 10, Attachments: c.handles, IdempotencyKey: c.name})
			if got := fieldOf(t, err); !slices.Equal(got, c.want) {
				t.Errorf("field %q, want %q (%v)", got, c.want, err)
			}
		})
	}
}

// An account or a token refused for one of its fields names that field,
// so that a form shows the message beside it.
func TestAccountAndTokenRefusalsNameTheField(t *testing.T) {
	f := withAccounts(t)
	ctx := context.Background()
	good := app.AccountInput{Login: "wangfang", Name: "王芳", Unit: "宁城县", Roles: []string{"reporter"}, Password: goodPassword}
	cases := []struct {
		name   string
		change func(*app.AccountInput)
		want   []string
	}{
		{"a login with a space", func(in *app.AccountInput) { in.Login = "wang fang" }, []string{"login"}},
		{"a name with #", func(in *app.AccountInput) { in.Name = "王#芳" }, []string{"name"}},
		{"an unknown role", func(in *app.AccountInput) { in.Roles = []string{"boss"} }, []string{"roles"}},
		{"a reporter without a unit", func(in *app.AccountInput) { in.Unit = "" }, []string{"unit"}},
		{"a short password", func(in *app.AccountInput) { in.Password = "short" }, []string{"password"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := good
			c.change(&in)
			_, _, err := f.svc.CreateAccount(ctx, operator, in)
			if got := fieldOf(t, err); !slices.Equal(got, c.want) {
				t.Errorf("field %q, want %q (%v)", got, c.want, err)
			}
		})
	}
	_, _, err := imported(t).svc.CreateToken(ctx, operator, app.TokenInput{Role: "inspector", ValidFor: time.Minute})
	if got := fieldOf(t, err); !slices.Equal(got, []string{"validFor"}) {
		t.Errorf("a token valid for a minute: field %q (%v)", got, err)
	}
}
