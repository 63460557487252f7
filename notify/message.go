// Package notify delivers the ledger's reminders (催办, 逾期催办, 升级督办)
// to outside channels: a webhook, e-mail over SMTP, NATS JetStream and
// AMQP, each through a Watermill publisher.
//
// The reminder events in the log are the outbox. A Dispatcher per channel
// reads the log in order, sends each reminder that the channel has not
// accepted yet, retrying with backoff until it is accepted, and then
// records ReminderDelivered for that channel in the ledger (through the
// application layer). A restart resumes where the records say: nothing
// recorded as delivered is sent again and nothing is skipped. If the
// process dies after a channel accepted a message and before its delivery
// was recorded, that one message is sent again on restart; every message
// carries the reminder's event ID as a stable id (the Message-Id header of
// the webhook, the message UUID of the brokers, the Message-ID of the
// e-mail) so a receiver can drop the repeat.
package notify

import (
	"encoding/json"
	"fmt"
	"time"

	"taskledger/audit"
	"taskledger/domain"
)

// Names gives the display names a message shows in place of internal ids.
// Unknown ids come back as they are.
type Names interface {
	// UnitName returns a unit's current name.
	UnitName(domain.UnitID) string
	// PlanTitle returns a plan's title.
	PlanTitle(domain.PlanID) string
	// TaskTitle returns a task's title and its printed label, e.g. "（十）".
	TaskTitle(domain.PlanID, domain.TaskNo) (title, label string)
	// MilestoneWords returns what a milestone of an obligation is, in the
	// plan's words, or "" when it is not known.
	MilestoneWords(domain.ObligationKey, domain.MilestoneID) string
}

// Party is a unit or office a message names.
type Party struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Message is the JSON body every channel carries (the e-mail carries
// Subject and Text).
type Message struct {
	// ID is the reminder's event ID: stable across retries and restarts.
	ID string `json:"id"`
	// Kind is due_soon, overdue, escalated_lead or escalated_office;
	// Label its Chinese name (催办, 逾期催办, 升级督办).
	Kind  string `json:"kind"`
	Label string `json:"label"`
	// Plan, Task (number, label and title), the holder and its role.
	Plan      Party  `json:"plan"`
	Task      int    `json:"task"`
	TaskLabel string `json:"task_label,omitempty"`
	TaskTitle string `json:"task_title,omitempty"`
	Unit      Party  `json:"unit"`
	Role      string `json:"role"`
	// To is who the reminder is for: the holder, the task's lead unit
	// (escalated_lead) or the supervising office (escalated_office, id
	// "office").
	To          Party  `json:"to"`
	Milestone   string `json:"milestone"`
	Due         string `json:"due"`
	DaysOverdue int    `json:"days_overdue"`
	// RecordedAt is when the ledger recorded the reminder, Position its
	// place in the log.
	RecordedAt time.Time `json:"recorded_at"`
	Position   uint64    `json:"position"`
	// Subject and Text say it in Chinese, for people.
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

// officeID names the supervising office in To.
const officeID = "office"

// NewMessage builds the message of reminder d, recorded as event e.
func NewMessage(e *domain.Event, d domain.ReminderRecorded, names Names) Message {
	name := func(u domain.UnitID) string { return names.UnitName(u) }
	title, label := names.TaskTitle(d.Plan, d.Task)
	holder := Party{ID: string(d.Unit), Name: name(d.Unit)}
	to := holder
	switch d.Kind {
	case domain.ReminderEscalatedLead:
		to = Party{ID: string(d.To), Name: name(d.To)}
	case domain.ReminderEscalatedOffice:
		to = Party{ID: officeID, Name: "督查办公室"}
	}
	kind := audit.ReminderLabel(d.Kind)
	text := audit.ReminderText(d, audit.Names{Unit: name, Milestone: names.MilestoneWords})
	if title != "" {
		text += fmt.Sprintf("。任务%s%s", label, title)
	}
	return Message{
		ID: e.ID.String(), Kind: string(d.Kind), Label: kind,
		Plan: Party{ID: string(d.Plan), Name: names.PlanTitle(d.Plan)}, Task: int(d.Task), TaskLabel: label, TaskTitle: title,
		Unit: holder, Role: string(d.Role), To: to, Milestone: string(d.Milestone), Due: d.Due.String(), DaysOverdue: d.DaysOverdue,
		RecordedAt: e.RecordedAt.UTC(), Position: e.Position,
		Subject: fmt.Sprintf("【%s】%s 第%d项 期限%s", kind, holder.Name, d.Task, d.Due),
		Text:    text,
	}
}

// JSON encodes the message.
func (m Message) JSON() []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("notify: encode message: %v", err)) // plain fields always encode
	}
	return b
}
