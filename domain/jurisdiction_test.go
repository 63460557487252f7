package domain

import (
	"testing"
)

// TestJurisdictionFieldsAreCompatible checks the fields added for a plan's
// and a unit's jurisdiction and the collective kind: payloads recorded
// before them decode and re-encode to the same bytes (so stored hashes
// hold), and new payloads carry them.
func TestJurisdictionFieldsAreCompatible(t *testing.T) {
	reg := DefaultRegistry()
	tests := []struct {
		name, typ, payload string
		check              func(EventData) bool
	}{
		{"old plan", "PlanRegistered",
			`{"plan":"chifeng-air","title":"赤峰市空气质量持续改善行动实施方案","issuer":"赤峰市人民政府","issued_on":"","source_digest":"0000000000000000000000000000000000000000000000000000000000000000"}`,
			func(d EventData) bool { return d.(PlanRegistered).Jurisdiction == "" }},
		{"new plan", "PlanRegistered",
			`{"plan":"baotou","title":"包头市2022年数字政府建设考评办法","jurisdiction":"包头市","issued_on":"","source_digest":"0000000000000000000000000000000000000000000000000000000000000000"}`,
			func(d EventData) bool { return d.(PlanRegistered).Jurisdiction == "包头市" }},
		{"old unit", "UnitRegistered",
			`{"unit":"county.ningcheng","kind":"county","name":"宁城县","aliases":["宁城县人民政府"]}`,
			func(d EventData) bool { return d.(UnitRegistered).Jurisdiction == "" }},
		{"collective unit", "UnitRegistered",
			`{"unit":"unit.0a1b2c3d4e5f","kind":"collective","name":"各旗县区","jurisdiction":"包头市"}`,
			func(d EventData) bool {
				u := d.(UnitRegistered)
				return u.Jurisdiction == "包头市" && u.Kind == KindCollective
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := reg.Decode(&Event{Type: tt.typ, SchemaVersion: 1, Payload: []byte(tt.payload)})
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !tt.check(d) {
				t.Errorf("decoded %+v", d)
			}
			_, _, again, err := reg.Encode(d)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if string(again) != tt.payload {
				t.Errorf("re-encoded\n%s\nwant\n%s", again, tt.payload)
			}
		})
	}
}

// TestRegisterCarriesJurisdiction checks that the commands record the
// jurisdiction and accept the collective kind, and that a unit kind outside
// the list is refused.
func TestRegisterCarriesJurisdiction(t *testing.T) {
	m := Meta{Actor: "office", Now: MustDate(2025, 1, 2).StartOf()}
	var u Unit
	evs, err := u.RegisterUnit(RegisterUnit{Unit: "unit.0a1b2c3d4e5f", Kind: KindCollective, Name: "各旗县区", Jurisdiction: "包头市"}, m)
	if err != nil {
		t.Fatal(err)
	}
	if got := evs[0].(UnitRegistered); got.Jurisdiction != "包头市" || got.Kind != KindCollective {
		t.Errorf("event %+v", got)
	}
	if _, err := u.RegisterUnit(RegisterUnit{Unit: "unit.x", Kind: "group", Name: "各旗县区"}, m); err == nil {
		t.Error("kind group accepted")
	}
	var p Plan
	evs, err = p.RegisterPlan(RegisterPlan{Plan: "baotou", Title: "考评办法", Jurisdiction: "包头市"}, m)
	if err != nil {
		t.Fatal(err)
	}
	if got := evs[0].(PlanRegistered); got.Jurisdiction != "包头市" {
		t.Errorf("event %+v", got)
	}
}
