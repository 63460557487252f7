package domain

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// A later part of a duty has its own stream, which parses back to the same
// key; the first part keeps the name and encoding it always had.
func TestObligationParts(t *testing.T) {
	first := ObligationKey{Plan: "chifeng-air", Task: 27, Unit: "bureau.ecology-environment", Role: RoleSupport}
	later := first
	later.Part = 4
	if first.Stream() != "obligation-chifeng-air-27-bureau.ecology-environment-support" {
		t.Errorf("first part's stream changed: %s", first.Stream())
	}
	if later.Stream() != "obligation-chifeng-air-27-bureau.ecology-environment-support-part4" {
		t.Errorf("later part's stream: %s", later.Stream())
	}
	if later.Path() != "chifeng-air/27/bureau.ecology-environment/SUPPORT/part4" {
		t.Errorf("later part's path: %s", later.Path())
	}
	ref, err := ParseStream(later.Stream())
	if err != nil || ref.Part != 4 || ref.Unit != later.Unit || ref.Role != RoleSupport || ref.Stream() != later.Stream() {
		t.Errorf("ParseStream(%s) = %+v, %v", later.Stream(), ref, err)
	}
	raw, _ := json.Marshal(first)
	if strings.Contains(string(raw), "part") {
		t.Errorf("the first part's encoding names a part: %s", raw)
	}
	raw, _ = json.Marshal(later)
	if !strings.Contains(string(raw), `"part":4`) {
		t.Errorf("a later part's encoding lacks it: %s", raw)
	}
}

func TestObligationPartsRefused(t *testing.T) {
	for _, name := range []string{
		"obligation-p-3-u-lead-part1", "obligation-p-3-u-lead-part0", "obligation-p-3-u-lead-part02",
		"obligation-p-3-u-lead-part", "obligation-p-3-u-lead-partx", "obligation-p-3-u-part2",
		"obligation-p-3-u-lead-part1000",
	} {
		if ref, err := ParseStream(name); !errors.Is(err, ErrInvalidID) {
			t.Errorf("ParseStream(%q) = %+v, %v; want ErrInvalidID", name, ref, err)
		}
	}
	for _, part := range []int{-1, 1, MaxPart + 1} {
		k := ObligationKey{Plan: "p", Task: 3, Unit: "u", Role: RoleLead, Part: part}
		if err := k.ValidateKey(); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("part %d: ValidateKey = %v, want ErrInvalidArgument", part, err)
		}
	}
}
