package audit

import (
	"github.com/google/uuid"

	"taskledger/domain"
)

// reviewFlags remembers, per stream, what a later rectification review or
// appeal ruling may reverse.
type reviewFlags struct {
	// reported is the position of a finding's pending rectification report.
	reported map[findingKey]uint64
	// appealable maps a slip's or finding's event ID to its position.
	appealable map[uuid.UUID]uint64
	// appeals maps an appeal to the event it names.
	appeals map[appealKey]uuid.UUID
}

// applyReview flags a rectification report sent back (reversed) and a
// slip or finding whose deduction the committee overturned (reversed).
func (f *Flagger) applyReview(pos uint64, stream string, e *domain.Event, data domain.EventData) {
	r := f.review
	if r == nil {
		r = &reviewFlags{reported: map[findingKey]uint64{}, appealable: map[uuid.UUID]uint64{}, appeals: map[appealKey]uuid.UUID{}}
		f.review = r
	}
	switch d := data.(type) {
	case domain.DeadlineSlipped, domain.FindingRecorded:
		r.appealable[e.ID] = pos
	case domain.RectificationCompleted:
		r.reported[findingKey{stream, d.Finding}] = pos
	case domain.RectificationVerified:
		delete(r.reported, findingKey{stream, d.Finding})
	case domain.RectificationRejected:
		if p, ok := r.reported[findingKey{stream, d.Finding}]; ok {
			f.mark(p, FlagReversed)
			delete(r.reported, findingKey{stream, d.Finding})
		}
	case domain.AppealFiled:
		r.appeals[appealKey{stream, d.Appeal}] = d.Target
	case domain.AppealRuled:
		if d.Outcome != domain.AppealOverturned {
			return
		}
		if p, ok := r.appealable[r.appeals[appealKey{stream, d.Appeal}]]; ok {
			f.mark(p, FlagReversed)
		}
	}
}

// appealKey names an appeal: its obligation's stream and its number.
type appealKey struct {
	stream string
	appeal int
}

// sentBack marks what a send-back on stream s returned as reversed: the
// report of its number, or the pending claim (which stops pending).
func (f *Flagger) sentBack(s string, d domain.WorkSentBack) {
	if d.Target == domain.SendBackReport {
		if seq := f.reportSeq[s]; d.Report >= 1 && d.Report <= len(seq) {
			f.mark(seq[d.Report-1], FlagReversed)
		}
		return
	}
	k := milestoneKey{s, d.Milestone}
	if p, ok := f.claims[k]; ok {
		f.mark(p, FlagReversed)
		delete(f.claims, k)
	}
}
