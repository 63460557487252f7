//go:build !race

package bolt

// raceDetector is true when the tests run with -race.
const raceDetector = false
