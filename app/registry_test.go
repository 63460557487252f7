package app_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"taskledger/app"
)

// A unit registry given with an import that does not load is refused with
// a message in Chinese and English, and nothing is recorded.
func TestImportRefusesABadRegistry(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tests := []struct {
		name string
		in   app.ImportInput
		zh   string
	}{
		{"not JSON", app.ImportInput{Registry: []byte("{units: [")}, "无法读取单位名录"},
		{"bad kind", app.ImportInput{Registry: []byte(`{"jurisdiction":"赤峰市","units":[{"id":"x","name":"某局","kind":"office"}]}`)}, "无法读取单位名录"},
		{"duplicate id", app.ImportInput{Registry: []byte(`{"units":[{"id":"x","name":"甲局","kind":"bureau"},{"id":"x","name":"乙局","kind":"bureau"}]}`)}, "无法读取单位名录"},
		{"id the ledger cannot hold", app.ImportInput{Registry: []byte(`{"units":[{"id":"Bureau.X","name":"甲局","kind":"bureau"}]}`)}, "不符合要求"},
		{"both", app.ImportInput{Registry: []byte(`{"units":[]}`), NoRegistry: true}, "不能同时指定"},
		{"too large", app.ImportInput{Registry: []byte(strings.Repeat(" ", app.MaxRegistryBytes+1))}, "超过上限"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Text, in.Plan = chifengText(t), "chifeng-air"
			_, err := f.svc.ImportPlan(ctx, operator, in)
			f.refused(err, app.InvalidArgument, 0)
			ae, ok := err.(*app.Error)
			if !ok || !strings.Contains(ae.MsgZH, tt.zh) || ae.Msg == "" {
				t.Errorf("error %#v, want Chinese %q and an English message", err, tt.zh)
			}
		})
	}
}

// The registry given with an import names the plan's units; one of
// another jurisdiction is not used.
func TestImportWithRegistry(t *testing.T) {
	ctx := context.Background()
	baotou, err := os.ReadFile("../planparse/testdata/baotou_szzf_kaoping_2022.txt")
	if err != nil {
		t.Fatal(err)
	}
	chifengReg, err := os.ReadFile("../planparse/units/chifeng.json")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	res, err := f.svc.ImportPlan(ctx, operator, app.ImportInput{Text: baotou, Plan: "baotou", Registry: chifengReg})
	if err != nil {
		t.Fatal(err)
	}
	f.sync()
	if _, ok := f.views.Views().Catalog.Unit("bureau.public-security"); ok {
		t.Error("Baotou's 市公安局 became Chifeng's bureau.public-security")
	}
	warned := false
	for _, w := range res.Warnings {
		warned = warned || w.Code == "registry-jurisdiction"
	}
	if !warned {
		t.Error("no warning that Chifeng's registry is not Baotou's")
	}
	// With the jurisdiction overridden, the registry is used.
	g := newFixture(t)
	if _, err := g.svc.ImportPlan(ctx, operator, app.ImportInput{Text: baotou, Plan: "baotou", Registry: chifengReg, Jurisdiction: "赤峰市"}); err != nil {
		t.Fatal(err)
	}
	g.sync()
	if _, ok := g.views.Views().Catalog.Unit("bureau.public-security"); !ok {
		t.Error("with the jurisdiction set to 赤峰市, the registry was not used")
	}
}
