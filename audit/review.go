package audit

import "taskledger/domain"

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
