// Package progress shows how far long command-line work has come: a bar
// drawn by github.com/schollz/progressbar/v3 when the output is a
// terminal, otherwise a plain line (Chinese first, then English) at most
// once per interval and, when any was written, one when the work is done,
// so that logs of runs under cron or CI say how far a run got. Work done
// within the first interval writes no line.
package progress

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// DefaultEvery is how often a plain line is written at most.
const DefaultEvery = 5 * time.Second

// Config describes one piece of work.
type Config struct {
	// W receives the bar or the lines (the command's stderr).
	W io.Writer
	// Terminal draws a bar; otherwise plain lines. IsTerminal tells.
	Terminal bool
	// Task names the work, in Chinese and in English ("重建读模型",
	// "rebuild").
	Task, TaskEN string
	// Unit names what is counted, in Chinese and in English ("事件",
	// "events", or "位置", "position").
	Unit, UnitEN string
	// Total is the count when done; 0 when not known beforehand.
	Total int64
	// Every is the least time between plain lines (DefaultEvery if 0).
	Every time.Duration
	// Now is the clock (time.Now if nil).
	Now func() time.Time
}

// Meter reports the progress of one piece of work. It is not safe for
// concurrent use.
type Meter struct {
	c     Config
	bar   *progressbar.ProgressBar
	n     int64
	start time.Time
	last  time.Time
	lines int
	done  bool
}

// IsTerminal reports whether w is a terminal (a bar can be drawn on it).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// New starts a meter.
func New(c Config) *Meter {
	if c.Every <= 0 {
		c.Every = DefaultEvery
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	m := &Meter{c: c, start: c.Now()}
	m.last = m.start
	if c.Terminal {
		total := c.Total
		if total <= 0 {
			total = -1 // a spinner
		}
		m.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(c.W),
			progressbar.OptionSetDescription(c.Task+" "+c.TaskEN),
			progressbar.OptionSetItsString(c.UnitEN),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetPredictTime(total > 0),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionFullWidth(),
		)
	}
	return m
}

// Set records that n units are done; a smaller n than before is ignored,
// so that progress never goes back. It reads the clock each time: a
// caller counting in a tight loop calls it every few hundred units.
func (m *Meter) Set(n int64) {
	if n <= m.n {
		return
	}
	m.n = n
	if m.bar != nil {
		_ = m.bar.Set64(n)
		return
	}
	if now := m.c.Now(); now.Sub(m.last) >= m.c.Every {
		m.last = now
		m.lines++
		fmt.Fprintln(m.c.W, m.line(now, false))
	}
}

// Add records n more units done.
func (m *Meter) Add(n int64) { m.Set(m.n + n) }

// Complete records that the whole Total is done, then finishes.
func (m *Meter) Complete() {
	m.Set(m.c.Total)
	m.Finish()
}

// Finish ends the bar, or writes the last plain line if any was written
// before. Later calls do nothing.
func (m *Meter) Finish() {
	if m.done {
		return
	}
	m.done = true
	if m.bar != nil {
		_ = m.bar.Set64(m.n)
		_ = m.bar.Finish()
		fmt.Fprintln(m.c.W)
		return
	}
	if m.lines > 0 {
		fmt.Fprintln(m.c.W, m.line(m.c.Now(), true))
	}
}

// line is one plain progress line, e.g.
//
//	重建读模型：位置 12000/50000（24%），用时 5s · rebuild: position 12000/50000 (24%), 5s
func (m *Meter) line(now time.Time, done bool) string {
	took := now.Sub(m.start).Round(time.Second)
	count := fmt.Sprintf("%d", m.n)
	pct, pctEN := "", ""
	if m.c.Total > 0 {
		count = fmt.Sprintf("%d/%d", m.n, m.c.Total)
		p := 100 * m.n / m.c.Total
		pct, pctEN = fmt.Sprintf("（%d%%）", p), fmt.Sprintf(" (%d%%)", p)
	}
	state, stateEN := "", ""
	if done {
		state, stateEN = "完成，", "done, "
	}
	return fmt.Sprintf("%s：%s %s%s，%s用时 %s · %s: %s %s%s, %s%s",
		m.c.Task, m.c.Unit, count, pct, state, took,
		m.c.TaskEN, m.c.UnitEN, count, pctEN, stateEN, took)
}
