//go:build unix

package projections

import "golang.org/x/sys/unix"

// processGone reports whether no process has the ID pid.
func processGone(pid int) bool { return unix.Kill(pid, 0) == unix.ESRCH }
