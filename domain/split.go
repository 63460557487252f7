package domain

// UnitSplit records that a unit was divided into several units in an
// institutional reform. Its open duties pass to Heir, one of Into, which
// carries its history from then on (as a merger's successor does); the
// unit takes no more commands. Stream: the divided unit's, unit-<unit>.
type UnitSplit struct {
	Unit UnitID `json:"unit"`
	// Into are the units it became, in the office's order.
	Into []UnitID `json:"into"`
	// Heir is the unit of Into that takes over the open duties and the
	// history.
	Heir   UnitID `json:"heir"`
	Reason string `json:"reason,omitempty"`
}

// EventType implements EventData.
func (UnitSplit) EventType() string { return "UnitSplit" }

// SplitUnit divides a unit into several, naming the heir of its duties.
// Command handling should check that every unit of Into is registered and
// live (other aggregates).
type SplitUnit struct {
	Unit   UnitID
	Into   []UnitID
	Heir   UnitID
	Reason string
}

// Stream implements Command.
func (c SplitUnit) Stream() string { return UnitStream(c.Unit) }

// Validate implements Command: at least two distinct units other than
// the divided one, the heir among them.
func (c SplitUnit) Validate() error {
	if err := firstErr(c.Unit.Validate(), c.Heir.Validate(), checkText("reason", c.Reason, MaxNoteLen, false)); err != nil {
		return err
	}
	if len(c.Into) < 2 {
		return errorf(ErrInvalidArgument, "a split needs at least two units, got %d", len(c.Into))
	}
	seen := map[UnitID]bool{}
	heir := false
	for _, u := range c.Into {
		if err := u.Validate(); err != nil {
			return err
		}
		switch {
		case u == c.Unit:
			return errorf(ErrSelfMerge, "unit %s cannot be split into itself", c.Unit)
		case seen[u]:
			return errorf(ErrInvalidArgument, "unit %s is named twice in the split", u)
		}
		seen[u] = true
		heir = heir || u == c.Heir
	}
	if !heir {
		return errorf(ErrInvalidArgument, "the heir %s is not one of the units %s is split into", c.Heir, c.Unit)
	}
	return nil
}

// SplitUnit decides a SplitUnit command. Errors: ErrNotFound, ErrMerged
// (already merged or split), ErrSelfMerge, ErrInvalidArgument.
func (u *Unit) SplitUnit(c SplitUnit, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), u.routed(c.Unit), u.live(c.Unit)); err != nil {
		return nil, err
	}
	return []EventData{UnitSplit{Unit: c.Unit, Into: append([]UnitID(nil), c.Into...), Heir: c.Heir, Reason: c.Reason}}, nil
}
