package planimport_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"taskledger/command"
	"taskledger/domain"
	"taskledger/eventstore/memory"
	"taskledger/planimport"
	"taskledger/planparse"
)

// Units of two plans of different jurisdictions never share a record: the
// Chifeng plan and the Baotou plan imported into one ledger keep their own
// units, each registered with its jurisdiction and kind.
func TestImportKeepsJurisdictionsApart(t *testing.T) {
	s := memory.New()
	ctx := context.Background()
	h := command.NewHandler(s, domain.DefaultRegistry())
	imp := func(id domain.PlanID, file string) *planparse.Plan {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := planparse.ParseBytes(src, planparse.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := planimport.Import(ctx, h, views(t, s), plan, src, planimport.Options{Plan: id, Now: now}); err != nil {
			t.Fatalf("import %s: %v", id, err)
		}
		return plan
	}
	cf := imp("chifeng-air", "../examples/chifeng-air-quality-plan.txt")
	bt := imp("baotou", "../planparse/testdata/baotou_szzf_kaoping_2022.txt")
	v := views(t, s)
	if p, _ := v.Catalog.Plan("baotou"); p.Jurisdiction != "包头市" {
		t.Errorf("Baotou plan jurisdiction %q", p.Jurisdiction)
	}
	if p, _ := v.Catalog.Plan("chifeng-air"); p.Jurisdiction != "赤峰市" {
		t.Errorf("Chifeng plan jurisdiction %q", p.Jurisdiction)
	}
	cfIDs := map[string]bool{}
	for _, u := range cf.Units {
		cfIDs[u.ID] = true
	}
	for _, u := range bt.Units {
		if cfIDs[u.ID] {
			t.Errorf("Baotou unit %q shares Chifeng's id %s", u.Name, u.ID)
		}
		got, ok := v.Catalog.Unit(domain.UnitID(u.ID))
		if !ok || got.Jurisdiction != "包头市" || string(got.Kind) != u.Kind {
			t.Errorf("Baotou unit %s recorded as %+v", u.ID, got)
		}
	}
	eco, _ := v.Catalog.Unit("bureau.ecology-environment")
	county, _ := v.Catalog.Unit("county.ningcheng")
	if eco.Jurisdiction != "赤峰市" || county.Kind != domain.KindCounty || len(county.Aliases) == 0 {
		t.Errorf("Chifeng units recorded as %+v and %+v", eco, county)
	}
}

// A collective the plan's registry cannot expand is recorded as one unit of
// kind collective, holding the duty.
func TestImportRecordsCollectiveHolder(t *testing.T) {
	src := []byte("广州市某某实施方案\n一、重点任务\n（一）甲任务。2025年底前完成。（牵头单位：市商务局，配合单位：市财政局，各区、县级市）\n")
	s := memory.New()
	plan, _, err := importPlan(t, s, "gz", src, false)
	if err != nil {
		t.Fatal(err)
	}
	var holder planparse.Responsibility
	for _, r := range plan.Tasks[0].Responsibilities {
		if r.Collective {
			holder = r
		}
	}
	v := views(t, s)
	u, ok := v.Catalog.Unit(domain.UnitID(holder.UnitID))
	if !ok || u.Kind != domain.KindCollective || u.Name != "各区、县级市" || u.Jurisdiction != "广州市" {
		t.Fatalf("collective holder %+v recorded as %+v (%v)", holder, u, ok)
	}
	if _, ok := v.Obligations.Get(domain.ObligationStream("gz", 1, u.ID, domain.RoleSupport)); !ok {
		t.Error("the collective holds no SUPPORT duty")
	}
}

// The bundled Chifeng plan imports as before plans had jurisdictions: its
// units are exactly the Chifeng registry's ids, and importing it with the
// registry chosen by default records the same events, on the same streams,
// as with the Chifeng registry given.
func TestChifengImportUnchanged(t *testing.T) {
	src, err := os.ReadFile("../examples/chifeng-air-quality-plan.txt")
	if err != nil {
		t.Fatal(err)
	}
	record := func(opts planparse.Options) ([]string, map[string]int) {
		s := memory.New()
		plan, err := planparse.ParseBytes(src, opts)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := planimport.Import(context.Background(), command.NewHandler(s, domain.DefaultRegistry()), views(t, s), plan, src,
			planimport.Options{Plan: "chifeng-air", Now: now})
		if err != nil {
			t.Fatal(err)
		}
		var streams []string
		for _, c := range rep.Changes {
			streams = append(streams, c.Type+" "+c.Stream)
		}
		return streams, rep.Counts()
	}
	def, counts := record(planparse.Options{})
	given, _ := record(planparse.Options{Registry: planparse.ChifengRegistry()})
	if len(def) != len(given) {
		t.Fatalf("%d events by default, %d with the registry given", len(def), len(given))
	}
	for i := range def {
		if def[i] != given[i] {
			t.Fatalf("event %d: %s by default, %s given", i, def[i], given[i])
		}
	}
	reg := planparse.ChifengRegistry()
	units := 0
	for _, s := range def {
		if id, ok := strings.CutPrefix(s, "UnitRegistered unit-"); ok {
			units++
			if _, known := reg.Unit(id); !known {
				t.Errorf("unit %s is not a Chifeng registry id", id)
			}
		}
	}
	if units != 34 || counts["PlanRegistered"] != 1 || counts["TaskRegistered"] != 28 {
		t.Errorf("counts %v", counts)
	}
}

// Two registries that give the same id to units of two jurisdictions do
// not make them one unit: the second import is refused and records
// nothing.
func TestImportRefusesAForeignUnitID(t *testing.T) {
	s := memory.New()
	h := command.NewHandler(s, domain.DefaultRegistry())
	imp := func(id domain.PlanID, text, regJSON string) error {
		reg, err := planparse.LoadRegistry(strings.NewReader(regJSON))
		if err != nil {
			t.Fatal(err)
		}
		plan, err := planparse.ParseBytes([]byte(text), planparse.Options{Registry: reg})
		if err != nil {
			t.Fatal(err)
		}
		_, err = planimport.Import(context.Background(), h, views(t, s), plan, []byte(text), planimport.Options{Plan: id, Now: now})
		return err
	}
	police := `{"jurisdiction": "%s", "units": [{"id": "bureau.public-security", "name": "公安局", "kind": "bureau", "aliases": ["市公安局"]}]}`
	if err := imp("hf", "合肥市某某实施方案\n一、重点任务\n（一）甲任务。（市公安局负责）\n", fmt.Sprintf(police, "合肥市")); err != nil {
		t.Fatal(err)
	}
	head, _ := s.Head(context.Background())
	err := imp("bt", "包头市某某实施方案\n一、重点任务\n（一）甲任务。（市公安局负责）\n", fmt.Sprintf(police, "包头市"))
	if !errors.Is(err, planimport.ErrForeignUnit) || !strings.Contains(err.Error(), "合肥市") {
		t.Fatalf("err %v, want ErrForeignUnit naming 合肥市", err)
	}
	if after, _ := s.Head(context.Background()); after != head {
		t.Errorf("a refused import recorded %d events", after-head)
	}
}

// A registry entry that names the unit's own jurisdiction shares the unit
// with the plans of that place: 赤峰海关 in an Inner Mongolia registry is
// Chifeng's 赤峰海关.
func TestRegistrySaysUnitsAreShared(t *testing.T) {
	s := memory.New()
	h := command.NewHandler(s, domain.DefaultRegistry())
	src, err := os.ReadFile("../examples/chifeng-air-quality-plan.txt")
	if err != nil {
		t.Fatal(err)
	}
	cf, err := planparse.ParseBytes(src, planparse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := planimport.Import(context.Background(), h, views(t, s), cf, src, planimport.Options{Plan: "chifeng-air", Now: now}); err != nil {
		t.Fatal(err)
	}
	reg, err := planparse.LoadRegistry(strings.NewReader(`{"jurisdiction": "内蒙古自治区", "units": [
		{"id": "body.customs", "name": "赤峰海关", "kind": "body", "jurisdiction": "赤峰市"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	text := []byte("内蒙古自治区某某实施方案\n一、重点任务\n（一）甲任务。（赤峰海关负责）\n")
	plan, err := planparse.ParseBytes(text, planparse.Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := planimport.Import(context.Background(), h, views(t, s), plan, text, planimport.Options{Plan: "nmg", Now: now})
	if err != nil {
		t.Fatalf("shared unit refused: %v", err)
	}
	if n := rep.Counts()["UnitRegistered"]; n != 0 {
		t.Errorf("%d units registered; 赤峰海关 should be the one on record", n)
	}
}
