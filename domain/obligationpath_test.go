package domain

import (
	"errors"
	"testing"
)

// A scorecard line names its obligation by Path; the events behind the line
// are found by reading that path back, for a later duty (Part > 0) too.
func TestParseObligationPathRoundTrip(t *testing.T) {
	for _, k := range []ObligationKey{
		{Plan: "chifeng-air", Task: 27, Unit: "bureau.finance", Role: RoleJoint},
		{Plan: "chifeng-air", Task: 27, Unit: "bureau.finance", Role: RoleJoint, Part: 6},
		{Plan: "chifeng-air", Task: 18, Unit: "bureau.industry-it", Role: RoleSupport, Part: 2},
		{Plan: "chifeng-air", Task: 3, Unit: "county.ningcheng", Role: RoleLead, Part: MaxPart},
	} {
		got, err := ParseObligationPath(k.Path())
		if err != nil {
			t.Fatalf("ParseObligationPath(%q): %v", k.Path(), err)
		}
		if got != k {
			t.Errorf("ParseObligationPath(%q) = %+v, want %+v", k.Path(), got, k)
		}
		if got.Stream() != k.Stream() {
			t.Errorf("stream of %q = %q, want %q", k.Path(), got.Stream(), k.Stream())
		}
	}
}

func TestParseObligationPathRefusesMalformed(t *testing.T) {
	for _, path := range []string{
		"",
		"chifeng-air/27/bureau.finance",
		"chifeng-air/27/bureau.finance/JOINT/part1",
		"chifeng-air/27/bureau.finance/JOINT/part02",
		"chifeng-air/27/bureau.finance/JOINT/part1000",
		"chifeng-air/27/bureau.finance/JOINT/partx",
		"chifeng-air/27/bureau.finance/JOINT/extra",
		"chifeng-air/x/bureau.finance/JOINT",
		"chifeng-air/27/bureau.finance/BOSS",
	} {
		_, err := ParseObligationPath(path)
		if err == nil {
			t.Errorf("ParseObligationPath(%q) accepted", path)
			continue
		}
		if !errors.Is(err, ErrInvalidID) {
			t.Errorf("ParseObligationPath(%q) = %v, want an invalid-identifier error", path, err)
		}
	}
}
