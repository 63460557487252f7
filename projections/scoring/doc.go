// Package scoring computes the annual scorecards of bureaus and counties
// from folded obligations, air-quality measurements and the plan's
// targets, under a scoring scheme that is data: a versioned JSON document
// (Scheme) the assessment committee adopts with the SchemeAdopted event.
//
// Every point on a card is a Line naming a stable rule id, explaining
// itself in Chinese and English, and citing the events behind it. The
// package is pure — no I/O, no clock: the caller passes the as-of instant
// and leaves out events after it — and deterministic: Result.JSON is
// byte-identical for the same input, scheme and as-of whatever the order of
// the input, and Result.Digest is what ScorecardPublished records. Diff
// names what a recomputation changed.
//
// The rules, with their ids and default numbers, are written out in
// docs/scoring.md.
package scoring
