//go:build race

package audit

// byteSamples is how many single-byte changes the tamper test makes; the
// race detector makes each verify many times slower.
const byteSamples = 40
