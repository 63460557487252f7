package domain

// Task is the aggregate of one numbered task of a plan, on stream
// task-<plan>-<no>: its wording. Responsibilities and milestones live on
// the task's obligations, one per unit and role. The zero Task is an
// unregistered task.
type Task struct {
	// Plan and No identify the task, set by TaskRegistered.
	Plan PlanID
	No   TaskNo
	// Registered is true once TaskRegistered is applied.
	Registered bool
	// Label, Chapter, Title and Text are the current wording.
	Label   string
	Chapter string
	Title   string
	Text    string
	// Amendments counts applied TaskAmended events.
	Amendments int

	version uint64
}

// Version implements VersionedAggregate.
func (t *Task) Version() uint64 { return t.version }

// RegisterTask registers a task. Allowed once per task. Command handling
// should check that the plan is registered (another aggregate).
type RegisterTask struct {
	Plan    PlanID
	Task    TaskNo
	Label   string
	Chapter string
	Title   string
	Text    string
}

// Stream implements Command.
func (c RegisterTask) Stream() string { return TaskStream(c.Plan, c.Task) }

// Validate implements Command.
func (c RegisterTask) Validate() error {
	return firstErr(
		c.Plan.Validate(), c.Task.Validate(),
		checkText("label", c.Label, MaxNameLen, false),
		checkText("chapter", c.Chapter, MaxNameLen, false),
		checkText("title", c.Title, MaxNameLen, true),
		checkText("text", c.Text, MaxTaskTextLen, false),
	)
}

// RegisterTask decides a RegisterTask command. Errors: ErrAlreadyExists.
func (t *Task) RegisterTask(c RegisterTask, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), t.routed(c.Plan, c.Task)); err != nil {
		return nil, err
	}
	if t.Registered {
		return nil, errorf(ErrAlreadyExists, "task %s/%d is already registered", t.Plan, t.No)
	}
	return []EventData{TaskRegistered{
		Plan: c.Plan, Task: c.Task, Label: c.Label, Chapter: c.Chapter, Title: c.Title, Text: c.Text,
	}}, nil
}

// AmendTask changes a task's wording; empty fields stay as they are.
type AmendTask struct {
	Plan    PlanID
	Task    TaskNo
	Label   string
	Chapter string
	Title   string
	Text    string
	Reason  string
}

// Stream implements Command.
func (c AmendTask) Stream() string { return TaskStream(c.Plan, c.Task) }

// Validate implements Command.
func (c AmendTask) Validate() error {
	return firstErr(
		c.Plan.Validate(), c.Task.Validate(),
		checkText("label", c.Label, MaxNameLen, false),
		checkText("chapter", c.Chapter, MaxNameLen, false),
		checkText("title", c.Title, MaxNameLen, false),
		checkText("text", c.Text, MaxTaskTextLen, false),
		checkText("reason", c.Reason, MaxNoteLen, false),
	)
}

// AmendTask decides an AmendTask command. The event carries only the fields
// that change. Errors: ErrNotFound, ErrNoChange.
func (t *Task) AmendTask(c AmendTask, m Meta) ([]EventData, error) {
	if err := firstErr(m.validate(), c.Validate(), t.routed(c.Plan, c.Task)); err != nil {
		return nil, err
	}
	if !t.Registered {
		return nil, errorf(ErrNotFound, "task %s/%d is not registered", c.Plan, c.Task)
	}
	ev := TaskAmended{Plan: c.Plan, Task: c.Task, Reason: c.Reason}
	changed := false
	pick := func(dst *string, next, cur string) {
		if next != "" && next != cur {
			*dst, changed = next, true
		}
	}
	pick(&ev.Label, c.Label, t.Label)
	pick(&ev.Chapter, c.Chapter, t.Chapter)
	pick(&ev.Title, c.Title, t.Title)
	pick(&ev.Text, c.Text, t.Text)
	if !changed {
		return nil, errorf(ErrNoChange, "amendment of task %s/%d changes nothing", c.Plan, c.Task)
	}
	return []EventData{ev}, nil
}

func (t *Task) routed(p PlanID, n TaskNo) error {
	if t.Registered && (t.Plan != p || t.No != n) {
		return errorf(ErrInvalidArgument, "command for task %s/%d sent to task %s/%d", p, n, t.Plan, t.No)
	}
	return nil
}

// Apply implements Aggregate.
func (t *Task) Apply(e *Event, data EventData) error {
	v, err := advance(t.version, e, "task")
	if err != nil {
		return err
	}
	switch d := data.(type) {
	case TaskRegistered:
		if t.Registered {
			return unexpected("task", data)
		}
		t.Plan, t.No, t.Registered = d.Plan, d.Task, true
		t.Label, t.Chapter, t.Title, t.Text = d.Label, d.Chapter, d.Title, d.Text
	case TaskAmended:
		if !t.Registered || d.Plan != t.Plan || d.Task != t.No {
			return unexpected("task", data)
		}
		set := func(dst *string, v string) {
			if v != "" {
				*dst = v
			}
		}
		set(&t.Label, d.Label)
		set(&t.Chapter, d.Chapter)
		set(&t.Title, d.Title)
		set(&t.Text, d.Text)
		t.Amendments++
	default:
		return unexpected("task", data)
	}
	t.version = v
	return nil
}
