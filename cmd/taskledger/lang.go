package main

import (
	"fmt"

	"taskledger/internal/msg"
)

// checkLang refuses a --lang that names no language of the catalogue.
func (a *cli) checkLang() error {
	if a.lang == "" {
		return nil
	}
	if _, ok := msg.Parse(a.lang); !ok {
		return usageError(fmt.Errorf("--lang %q: 应为 zh 或 en (want zh or en)", a.lang))
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
