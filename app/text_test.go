package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"taskledger/app"
	"taskledger/domain"
)

// TestTextRefusedEverywhere sends a control character and a bidi override
// in every free-text and name field of every use case that takes one: each
// is refused with INVALID_ARGUMENT, says what is wrong in English and
// Chinese, and records nothing.
func TestTextRefusedEverywhere(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	k := f.duty()
	own := app.ObligationRef{Task: int(k.Task), Role: string(k.Role)}
	ref := app.ObligationRef{Task: int(k.Task), Unit: string(k.Unit), Role: string(k.Role)}
	cases := []struct {
		name  string
		field string
		call  func(bad string) error
	}{
		{"assign basis", "basis", func(bad string) error {
			_, err := f.svc.AssignResponsibility(ctx, operator, app.AssignInput{Obligation: ref, Basis: bad, IdempotencyKey: "a"})
			return err
		}},
		{"withdraw reason", "reason", func(bad string) error {
			_, err := f.svc.WithdrawResponsibility(ctx, operator, app.WithdrawInput{Obligation: ref, Reason: bad, IdempotencyKey: "w"})
			return err
		}},
		{"report note", "note", func(bad string) error {
			_, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{Obligation: own, Percent: 10, Note: bad, IdempotencyKey: "r"})
			return err
		}},
		{"extension reason", "reason", func(bad string) error {
			_, err := f.svc.RequestExtension(ctx, ningcheng, app.ExtensionRequestInput{Obligation: own, Milestone: "m1", Due: domain.Date{}, Reason: bad, IdempotencyKey: "e"})
			return err
		}},
		{"extension decision note", "note", func(bad string) error {
			_, err := f.svc.DecideExtension(ctx, operator, app.ExtensionDecisionInput{Obligation: ref, Note: bad, IdempotencyKey: "d"})
			return err
		}},
		{"claim evidence", "evidence", func(bad string) error {
			_, err := f.svc.ClaimCompletion(ctx, ningcheng, app.ClaimInput{Obligation: own, Evidence: bad, IdempotencyKey: "c"})
			return err
		}},
		{"verify note", "note", func(bad string) error {
			_, err := f.svc.VerifyCompletion(ctx, inspector, app.ClaimDecisionInput{Obligation: ref, Note: bad, IdempotencyKey: "v"})
			return err
		}},
		{"reject reason", "reason", func(bad string) error {
			_, err := f.svc.RejectCompletion(ctx, inspector, app.ClaimDecisionInput{Obligation: ref, Note: bad, IdempotencyKey: "x"})
			return err
		}},
		{"finding summary", "summary", func(bad string) error {
			_, err := f.svc.RecordFinding(ctx, inspector, app.FindingInput{Obligation: ref, Kind: "false_report", Severity: "major", Summary: bad, IdempotencyKey: "f"})
			return err
		}},
		{"import issuer", "issuer", func(bad string) error {
			_, err := f.svc.ImportPlan(ctx, operator, app.ImportInput{Text: chifengText(t), Plan: "chifeng-air-2", Issuer: bad})
			return err
		}},
		{"indicator source", "source", func(bad string) error {
			_, err := f.svc.RecordIndicator(ctx, operator, app.IndicatorInput{Unit: "county.ningcheng", Metric: "pm25", Period: "2025-02", Value: 30, ValidDays: 28, Source: bad, IdempotencyKey: "i"})
			return err
		}},
	}
	bads := []struct{ text, en, zh string }{
		{"ok\x1b[31m red", "control character U+001B", "控制字符 U+001B"},
		{"paid \u202e01\u202c", "bidirectional control character U+202E", "双向文本控制符 U+202E"},
		{"\u2067isolated\u2069", "bidirectional control character U+2067", "双向文本控制符 U+2067"},
	}
	for _, tc := range cases {
		for _, bad := range bads {
			before := f.head()
			err := tc.call(bad.text)
			f.refused(err, app.InvalidArgument, before)
			var ae *app.Error
			if !errors.As(err, &ae) || !strings.HasPrefix(ae.Msg, tc.field+" ") || !strings.Contains(ae.Msg, bad.en) || !strings.Contains(ae.MsgZH, bad.zh) {
				t.Errorf("%s, %q: %v / %s", tc.name, bad.text, err, ae.Chinese())
			}
		}
	}

	// A token with a bad name is not made.
	before, err := f.svc.ListTokens(ctx, operator)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"督查室\u202e", "two\nlines", "bell\a"} {
		_, _, err := f.svc.CreateToken(ctx, operator, app.TokenInput{Role: "inspector", Name: bad})
		if app.CodeOf(err) != app.InvalidArgument || !strings.HasPrefix(err.Error(), "name ") {
			t.Errorf("token name %q: %v", bad, err)
		}
	}
	if after, _ := f.svc.ListTokens(ctx, operator); len(after) != len(before) {
		t.Errorf("refused token names made %d tokens", len(after)-len(before))
	}
}

// TestTextNormalised: what is recorded is the NFC form, with Windows line
// ends made "\n"; newlines and tabs stay in free text.
func TestTextNormalised(t *testing.T) {
	f := imported(t)
	ctx := context.Background()
	k := f.duty()
	res, err := f.svc.ReportProgress(ctx, ningcheng, app.ReportInput{
		Obligation: app.ObligationRef{Task: int(k.Task), Role: string(k.Role)}, Percent: 20,
		Note: "Cafe\u0301 内容\r\n第二行\t完", IdempotencyKey: "nfc",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Events) != 1 || !strings.Contains(string(res.Events[0].Payload), `"Caf\u00e9 内容\n第二行\t完"`) && !strings.Contains(string(res.Events[0].Payload), "Café 内容\\n第二行\\t完") {
		t.Errorf("recorded: %s", res.Events[0].Payload)
	}
	_, rec, err := f.svc.CreateToken(ctx, operator, app.TokenInput{Role: "inspector", Name: "Jose\u0301 督查"})
	if err != nil || rec.Name != "José 督查" {
		t.Errorf("token name %q, %v", rec.Name, err)
	}
}
