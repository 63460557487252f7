// Package msg is the catalogue of every message taskledger shows a person
// when it refuses something: one code per message, each with a Chinese and
// an English text. The API, the CLI and the dashboard look texts up here,
// so a refusal reads the same through every door. Chinese is the default
// language; English is the second catalogue.
//
// Texts are go-i18n templates with named placeholders ({{.Unit}}), so the
// two languages may order them differently; docs/errors.md lists every code
// and is generated from this catalogue (see the package's tests).
package msg

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Key is the code of one message, such as "account.login_taken". It is
// stable: clients may match on it (GraphQL extensions.messageCode).
type Key string

// Class is the kind of refusal a message belongs to, the API's
// extensions.code: INVALID_ARGUMENT, NOT_FOUND, CONFLICT, FORBIDDEN,
// UNAUTHENTICATED, IDEMPOTENCY_CONFLICT, LOCKED_OUT, INTERNAL, the review's
// OWN_WORK, NOT_LEAD and SIGNOFF_PENDING, and the CLI's DAMAGED and
// UNAVAILABLE.
type Class string

// The classes.
const (
	InvalidArgument     Class = "INVALID_ARGUMENT"
	NotFound            Class = "NOT_FOUND"
	Conflict            Class = "CONFLICT"
	Forbidden           Class = "FORBIDDEN"
	Unauthenticated     Class = "UNAUTHENTICATED"
	IdempotencyConflict Class = "IDEMPOTENCY_CONFLICT"
	LockedOut           Class = "LOCKED_OUT"
	Internal            Class = "INTERNAL"
)

// Lang is a language the catalogue holds.
type Lang string

// The languages. ZH is the default.
const (
	ZH Lang = "zh"
	EN Lang = "en"
)

// Langs lists the catalogue's languages, the default first.
func Langs() []Lang { return []Lang{ZH, EN} }

// Args fills a message's named placeholders.
type Args map[string]any

// Entry is one message of the catalogue.
type Entry struct {
	Key   Key
	Class Class
	// ZH and EN are the texts, go-i18n templates over Args.
	ZH, EN string
}

// Catalogue holds the entries and the bundle that renders them. It is
// built once from the entries table and never changes afterwards.
type Catalogue struct {
	entries map[Key]Entry
	bundle  *i18n.Bundle
	loc     map[Lang]*i18n.Localizer
}

// build makes the catalogue from the table; a duplicate key is a
// programming error caught by the package's tests.
func build(table []Entry) *Catalogue {
	c := &Catalogue{entries: make(map[Key]Entry, len(table)), bundle: i18n.NewBundle(language.Chinese)}
	for _, e := range table {
		c.entries[e.Key] = e
		c.bundle.MustAddMessages(language.Chinese, &i18n.Message{ID: string(e.Key), Other: e.ZH})
		c.bundle.MustAddMessages(language.English, &i18n.Message{ID: string(e.Key), Other: e.EN})
	}
	c.loc = map[Lang]*i18n.Localizer{ZH: i18n.NewLocalizer(c.bundle, "zh"), EN: i18n.NewLocalizer(c.bundle, "en")}
	return c
}

// Default returns the catalogue of taskledger's messages. It is built on
// first use and read-only from then on.
var Default = sync.OnceValue(func() *Catalogue { return build(allEntries()) })

// Lookup returns the entry of key, and whether the catalogue holds it.
func (c *Catalogue) Lookup(key Key) (Entry, bool) {
	e, ok := c.entries[key]
	return e, ok
}

// Entries returns every entry, sorted by key.
func (c *Catalogue) Entries() []Entry {
	out := make([]Entry, 0, len(c.entries))
	for _, e := range c.entries {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Text renders key in lang with args. A key the catalogue does not hold
// renders as the key itself in brackets, so that a missing entry shows
// (and the package's tests fail) rather than an empty message.
func (c *Catalogue) Text(lang Lang, key Key, args Args) string {
	loc, ok := c.loc[lang]
	if !ok {
		loc = c.loc[ZH]
	}
	if _, known := c.entries[key]; !known {
		return "[" + string(key) + "]"
	}
	s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: string(key), TemplateData: map[string]any(args)})
	if err != nil {
		return fmt.Sprintf("[%s: %v]", key, err)
	}
	return s
}

// ClassOf returns the class of key, or Internal for a key the catalogue
// does not hold.
func (c *Catalogue) ClassOf(key Key) Class {
	if e, ok := c.entries[key]; ok {
		return e.Class
	}
	return Internal
}

// Text renders key in lang from the default catalogue.
func Text(lang Lang, key Key, args Args) string { return Default().Text(lang, key, args) }

// FromAcceptLanguage picks the catalogue language an HTTP Accept-Language
// header prefers; Chinese when it names neither or is empty.
func FromAcceptLanguage(header string) Lang {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil {
		return ZH
	}
	for _, t := range tags {
		switch base, _ := t.Base(); base.String() {
		case "zh":
			return ZH
		case "en":
			return EN
		}
	}
	return ZH
}

// FromLocale reads a POSIX locale value (LANG, LC_ALL, LC_MESSAGES) such
// as zh_CN.UTF-8 or en_US.UTF-8, and reports "" for one that names
// neither language (C, POSIX, empty).
func FromLocale(locale string) Lang {
	l := strings.ToLower(locale)
	switch {
	case strings.HasPrefix(l, "zh"):
		return ZH
	case strings.HasPrefix(l, "en"):
		return EN
	}
	return ""
}

// Parse reads a language name given by a person (--lang zh|en); ok is
// false for any other.
func Parse(s string) (Lang, bool) {
	switch l := Lang(strings.ToLower(strings.TrimSpace(s))); l {
	case ZH, EN:
		return l, true
	}
	return "", false
}

// The review classes, beside the common ones, and the CLI's classes of a
// store it cannot open.
const (
	Damaged        Class = "DAMAGED"
	NewerFormat    Class = "NEWER_FORMAT"
	Unavailable    Class = "UNAVAILABLE"
	OwnWork        Class = "OWN_WORK"
	NotLead        Class = "NOT_LEAD"
	SignOffPending Class = "SIGNOFF_PENDING"
)

// allEntries joins the catalogue's tables.
func allEntries() []Entry {
	out := append([]Entry{}, table...)
	out = append(out, domainTable...)
	out = append(out, apiTable...)
	return append(out, inputTable...)
}
