package planparse

import (
	"os"
	"testing"
)

// Every warning code the parser can give has a Chinese and an English
// meaning in the catalogue.
func TestWarningCatalogueCoversEveryCode(t *testing.T) {
	codes := []string{WarnMarkup, WarnArabicHeading, WarnChapterRestart, WarnNoAttribution, WarnUnattributed,
		WarnCollective, WarnUnknownUnit, WarnNotAUnit, WarnNoRole, WarnNoPlanYear, WarnBadDate, WarnTaskNumbering,
		WarnTargetMismatch, WarnNoTitle, WarnDirective, WarnRegistryJurisdiction, WarnUnreadItem, WarnTableColumn, WarnTraditional}
	if len(WarningKinds()) != len(codes) {
		t.Errorf("the catalogue holds %d codes, the parser has %d", len(WarningKinds()), len(codes))
	}
	for _, c := range codes {
		k := KindOf(c)
		if k.ZH == c || k.EN == c || k.ZH == "" || k.EN == "" {
			t.Errorf("%s: no meaning in the catalogue: %+v", c, k)
		}
	}
}

// Grouping keeps every warning, counts each code once, and puts what may
// leave a task unread before cosmetics.
func TestGroupWarnings(t *testing.T) {
	src, err := os.ReadFile("testdata/chifeng-air-quality-plan.txt")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseBytes(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ws := append([]Warning{{Code: "made-up", Message: "x"}, {Code: WarnUnreadItem, Line: 9, Message: "y"}}, p.Warnings...)
	groups := GroupWarnings(ws)
	total, seen := 0, map[string]bool{}
	for _, g := range groups {
		if seen[g.Code] {
			t.Errorf("code %s grouped twice", g.Code)
		}
		seen[g.Code] = true
		total += len(g.Warnings)
	}
	if total != len(ws) {
		t.Errorf("groups hold %d warnings, want %d", total, len(ws))
	}
	if groups[0].Code != WarnUnreadItem || groups[len(groups)-1].Code != "made-up" {
		t.Errorf("order: first %s, last %s", groups[0].Code, groups[len(groups)-1].Code)
	}
}
