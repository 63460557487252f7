//go:build !race

package audit

// byteSamples is how many single-byte changes the tamper test makes.
const byteSamples = 200
