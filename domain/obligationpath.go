package domain

import "strings"

// ParseObligationPath reads the form ObligationKey.Path writes,
// "plan/task/unit/ROLE" or, for a later duty, "plan/task/unit/ROLE/part<n>",
// and returns the key; ParseObligationPath(k.Path()) == k for every valid k.
func ParseObligationPath(path string) (ObligationKey, error) {
	parts := strings.Split(path, "/")
	part, parts, err := trailingPart(parts)
	if err != nil {
		return ObligationKey{}, errorf(ErrInvalidID, "obligation %q: %v", path, err)
	}
	if len(parts) != 4 {
		return ObligationKey{}, errorf(ErrInvalidID, "obligation %q: want plan/task/unit/ROLE[/part<n>]", path)
	}
	no, err := ParseTaskNo(parts[1])
	if err != nil {
		return ObligationKey{}, errorf(ErrInvalidID, "obligation %q: %v", path, err)
	}
	k := ObligationKey{Plan: PlanID(parts[0]), Task: no, Unit: UnitID(parts[2]), Role: Role(strings.ToUpper(parts[3])), Part: part}
	if err := k.ValidateKey(); err != nil {
		return ObligationKey{}, errorf(ErrInvalidID, "obligation %q: %v", path, err)
	}
	return k, nil
}
