package main

import (
	"strings"

	"github.com/spf13/cobra"

	"taskledger/internal/msg"
)

// preRun checks --lang, then sets up the logger (every command's
// PersistentPreRunE).
func (a *cli) preRun(cmd *cobra.Command) error {
	if err := a.checkLang(); err != nil {
		return err
	}
	return a.setupLogger(cmd)
}

// checkLang refuses a --lang that names no language of the catalogue.
func (a *cli) checkLang() error {
	if a.lang == "" {
		return nil
	}
	if _, ok := msg.Parse(a.lang); !ok {
		return usageNotice(msg.CLILangInvalid, msg.Args{"Lang": a.lang})
	}
	return nil
}

// messageLangs lists the languages a refusal is printed in: the one --lang
// names; else both, English first when the locale (LC_ALL, LC_MESSAGES or
// LANG, the first one set) is English, Chinese first otherwise.
func (a *cli) messageLangs() []msg.Lang {
	if l, ok := msg.Parse(a.lang); ok {
		return []msg.Lang{l}
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := a.env(name); v != "" {
			if msg.FromLocale(v) == msg.EN {
				return []msg.Lang{msg.EN, msg.ZH}
			}
			break
		}
	}
	return []msg.Lang{msg.ZH, msg.EN}
}

// env reads an environment variable, or "" where the run has none.
func (a *cli) env(name string) string {
	if a.getenv == nil {
		return ""
	}
	return a.getenv(name)
}

// notice is a refusal of the CLI itself (a store it cannot open), worded
// from the catalogue; err is its cause, shown as a last line of detail.
type notice struct {
	key  msg.Key
	args msg.Args
	err  error
	// usage marks a usage error (exit code 2); quiet leaves err out of
	// the rendering, for a cause whose text the message already holds.
	usage, quiet bool
}

// noticef is the notice of key with args, caused by err.
func noticef(key msg.Key, args msg.Args, err error) *notice {
	return &notice{key: key, args: args, err: err}
}

// Error words the notice in Chinese, then English.
func (n *notice) Error() string { return n.render([]msg.Lang{msg.ZH, msg.EN}) }

func (n *notice) Unwrap() error { return n.err }

// Is makes a usage notice errUsage.
func (n *notice) Is(target error) bool { return n.usage && target == errUsage }

// render writes the notice in each of langs; the first language's text
// ends with the class in brackets and the code in parentheses, and the
// cause follows on a line of its own.
func (n *notice) render(langs []msg.Lang) string {
	c := msg.Default()
	parts := make([]string, 0, len(langs)+1)
	for i, l := range langs {
		text := c.Text(l, n.key, n.args)
		if i == 0 {
			text += " [" + string(c.ClassOf(n.key)) + "] (" + string(n.key) + ")"
		}
		parts = append(parts, text)
	}
	if n.err != nil && !n.quiet {
		parts = append(parts, n.err.Error())
	}
	return strings.Join(parts, "\n")
}
