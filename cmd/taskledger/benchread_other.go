//go:build !unix

package main

import "time"

// processCPU returns 0: bench-read reports CPU times only where the system
// tells them (unix).
func processCPU() time.Duration { return 0 }
