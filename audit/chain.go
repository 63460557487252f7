package audit

import "taskledger/domain"

// ChainCheck checks the events of a trail — a subset of the log, in log
// order — as an inspector reading only that trail can: each event's content
// matches its hash, a stream's first event links to nothing, and of two
// consecutive versions of a stream the later links to the earlier's hash.
// Gaps (versions outside the trail) are not breaks. The zero value is
// ready to use.
type ChainCheck struct {
	last   map[string]link
	broken bool
}

type link struct {
	version uint64
	hash    domain.Hash
}

// Add checks one event and reports whether its own content matches its
// hash.
func (c *ChainCheck) Add(e *domain.Event) (hashOK bool) {
	if c.last == nil {
		c.last = map[string]link{}
	}
	hashOK = e.Verify() == nil
	if !hashOK || (e.Version == 1 && !e.PrevHash.IsZero()) {
		c.broken = true
	}
	if prev, ok := c.last[e.Stream]; ok && prev.version+1 == e.Version && prev.hash != e.PrevHash {
		c.broken = true
	}
	c.last[e.Stream] = link{e.Version, e.Hash}
	return hashOK
}

// Intact reports whether every event added so far passed.
func (c *ChainCheck) Intact() bool { return !c.broken }
