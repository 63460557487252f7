package domain

import (
	"strconv"
	"strings"
)

// StreamKind names the aggregate type a stream belongs to. It is also the
// stream name's prefix up to the first '-', which EventStoreDB's by-category
// projection ($ce-plan, $ce-obligation…) uses as the category.
type StreamKind string

// The stream kinds, one per aggregate type.
const (
	// StreamPlan is a Plan's stream: "plan-<plan>".
	StreamPlan StreamKind = "plan"
	// StreamTask is a Task's stream: "task-<plan>-<no>".
	StreamTask StreamKind = "task"
	// StreamUnit is a Unit's stream: "unit-<unit>".
	StreamUnit StreamKind = "unit"
	// StreamObligation is an Obligation's stream:
	// "obligation-<plan>-<no>-<unit>-<role in lower case>", followed by
	// "-part<n>" for a later part (ObligationKey.Part).
	StreamObligation StreamKind = "obligation"
)

// PlanStream returns the stream name of a plan: "plan-<id>".
func PlanStream(p PlanID) string { return "plan-" + string(p) }

// TaskStream returns the stream name of a task: "task-<plan>-<no>".
func TaskStream(p PlanID, n TaskNo) string {
	return "task-" + string(p) + "-" + strconv.Itoa(int(n))
}

// UnitStream returns the stream name of a unit: "unit-<id>".
func UnitStream(u UnitID) string { return "unit-" + string(u) }

// ObligationStream returns the stream name of one unit's duty on one task:
// "obligation-<plan>-<no>-<unit>-<role in lower case>".
func ObligationStream(p PlanID, n TaskNo, u UnitID, r Role) string {
	return "obligation-" + string(p) + "-" + strconv.Itoa(int(n)) + "-" + string(u) + "-" + strings.ToLower(string(r))
}

// ObligationPartStream returns the stream name of one part of a unit's duty
// on one task: ObligationStream's name for part 0, with "-part<n>" after it
// for a later part.
func ObligationPartStream(p PlanID, n TaskNo, u UnitID, r Role, part int) string {
	name := ObligationStream(p, n, u, r)
	if part > 0 {
		name += "-part" + strconv.Itoa(part)
	}
	return name
}

// StreamRef is a parsed stream name: the aggregate kind and the identity
// parts that kind uses (the others are zero).
type StreamRef struct {
	// Kind is the aggregate type.
	Kind StreamKind
	// Plan is set for plan, task and obligation streams.
	Plan PlanID
	// Task is set for task and obligation streams.
	Task TaskNo
	// Unit is set for unit and obligation streams.
	Unit UnitID
	// Role is set for obligation streams.
	Role Role
	// Part is an obligation stream's part (ObligationKey.Part), 0 if none.
	Part int
}

// Stream returns the stream name the reference stands for.
func (r StreamRef) Stream() string {
	switch r.Kind {
	case StreamPlan:
		return PlanStream(r.Plan)
	case StreamTask:
		return TaskStream(r.Plan, r.Task)
	case StreamUnit:
		return UnitStream(r.Unit)
	case StreamObligation:
		return ObligationPartStream(r.Plan, r.Task, r.Unit, r.Role, r.Part)
	}
	return ""
}

// ParseStream inverts PlanStream, TaskStream, UnitStream and
// ObligationStream, validating every part. It returns ErrInvalidID (or the
// part's own validation error) for any other name.
func ParseStream(name string) (StreamRef, error) {
	kind, rest, ok := strings.Cut(name, "-")
	if !ok {
		return StreamRef{}, errorf(ErrInvalidID, "stream %q has no kind prefix", name)
	}
	bad := func(err error) (StreamRef, error) {
		return StreamRef{}, errorf(ErrInvalidID, "stream %q: %v", name, err)
	}
	switch StreamKind(kind) {
	case StreamPlan:
		p := PlanID(rest)
		if err := p.Validate(); err != nil {
			return bad(err)
		}
		return StreamRef{Kind: StreamPlan, Plan: p}, nil
	case StreamUnit:
		u := UnitID(rest)
		if err := u.Validate(); err != nil {
			return bad(err)
		}
		return StreamRef{Kind: StreamUnit, Unit: u}, nil
	case StreamTask:
		i := strings.LastIndexByte(rest, '-')
		if i < 0 {
			return bad(errorf(ErrInvalidID, "no task number"))
		}
		p, n, err := parsePlanTask(rest[:i], rest[i+1:])
		if err != nil {
			return bad(err)
		}
		return StreamRef{Kind: StreamTask, Plan: p, Task: n}, nil
	case StreamObligation:
		// No part of a plan ID is all digits, so the first all-digit part
		// is the task number; roles contain no '-', so the last part is the
		// role; the unit ID is what lies between.
		parts := strings.Split(rest, "-")
		part, parts, err := trailingPart(parts)
		if err != nil {
			return bad(err)
		}
		t := -1
		for i, part := range parts {
			if allDigits(part) {
				t = i
				break
			}
		}
		if t < 1 || len(parts)-t < 3 {
			return bad(errorf(ErrInvalidID, "want obligation-<plan>-<no>-<unit>-<role>"))
		}
		p, n, err := parsePlanTask(strings.Join(parts[:t], "-"), parts[t])
		if err != nil {
			return bad(err)
		}
		u := UnitID(strings.Join(parts[t+1:len(parts)-1], "-"))
		if err := u.Validate(); err != nil {
			return bad(err)
		}
		rs := parts[len(parts)-1]
		if rs != strings.ToLower(rs) {
			return bad(errorf(ErrInvalidRole, "role %q is not lower case", rs))
		}
		r, err := ParseRole(rs)
		if err != nil {
			return bad(err)
		}
		return StreamRef{Kind: StreamObligation, Plan: p, Task: n, Unit: u, Role: r, Part: part}, nil
	}
	return StreamRef{}, errorf(ErrInvalidID, "stream %q: unknown kind %q", name, kind)
}

// trailingPart splits a final "part<n>" off an obligation stream's parts.
// Roles never begin with "part", so a name without one is a part-0 name.
func trailingPart(parts []string) (int, []string, error) {
	last := parts[len(parts)-1]
	digits, ok := strings.CutPrefix(last, "part")
	if !ok {
		return 0, parts, nil
	}
	if !allDigits(digits) || digits[0] == '0' {
		return 0, nil, errorf(ErrInvalidID, "part %q is not canonical", last)
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		return 0, nil, errorf(ErrInvalidID, "part %q: %v", last, err)
	}
	if err := validatePart(n); err != nil {
		return 0, nil, err
	}
	return n, parts[:len(parts)-1], nil
}

func parsePlanTask(ps, ns string) (PlanID, TaskNo, error) {
	p := PlanID(ps)
	if err := p.Validate(); err != nil {
		return "", 0, err
	}
	// Only the canonical decimal form round-trips: digits, no leading zero.
	if !allDigits(ns) || ns[0] == '0' {
		return "", 0, errorf(ErrInvalidTaskNo, "task number %q is not canonical", ns)
	}
	n, err := ParseTaskNo(ns)
	if err != nil {
		return "", 0, err
	}
	return p, n, nil
}
