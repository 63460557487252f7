package app

import (
	"errors"
	"fmt"
	"testing"

	"taskledger/command"
	"taskledger/domain"
	"taskledger/internal/msg"
)

func TestExplainWordsEveryRefusalFromTheCatalogue(t *testing.T) {
	withdrawn := fmt.Errorf("record report: %w", fmt.Errorf("obligation: %w", domain.ErrWithdrawn))
	cases := []struct {
		name string
		err  error
		key  msg.Key
		code Code
	}{
		{"application error", fmt.Errorf("wrapped: %w", fail(msg.PlanNoneYet, nil)), msg.PlanNoneYet, NotFound},
		{"domain kind", withdrawn, msg.DomainWithdrawn, Conflict},
		{"no idempotency key", fmt.Errorf("x: %w", command.ErrNoIdempotencyKey), msg.IdempotencyKeyRequired, InvalidArgument},
		{"contention", command.ErrContention, msg.LedgerContention, Conflict},
	}
	for _, c := range cases {
		e := Explain(c.err)
		if e == nil || e.Key != c.key || e.Code != c.code {
			t.Errorf("%s: %+v, want %s %s", c.name, e, c.key, c.code)
			continue
		}
		if e.MsgZH != msg.Text(msg.ZH, c.key, nil) || e.Msg == "" {
			t.Errorf("%s: texts %q / %q", c.name, e.MsgZH, e.Msg)
		}
	}
	// A domain sentence naming what was refused is kept in both texts.
	bad := domain.PlanID("不是 id").Validate()
	if e := Explain(bad); e == nil || e.Key != msg.DomainInvalidID || e.Msg != bad.Error() ||
		e.MsgZH != msg.Text(msg.ZH, msg.DomainInvalidID, nil)+"（"+bad.Error()+"）" {
		t.Errorf("a bad id: %+v", e)
	}
	if e := Explain(errors.New("disk on fire")); e != nil {
		t.Errorf("an internal failure was explained: %+v", e)
	}
}

// TestEveryDomainKindHasACodeOfItsClass checks that each kind of domain
// error maps to a code whose class is the kind's own.
func TestEveryDomainKindHasACodeOfItsClass(t *testing.T) {
	c := msg.Default()
	for kind, key := range domainKeys {
		e, ok := c.Lookup(key)
		if !ok {
			t.Errorf("%q: code %s is not in the catalogue", kind.Msg, key)
			continue
		}
		if string(e.Class) != string(kind.Code) {
			t.Errorf("%q: class %s, the domain says %s", kind.Msg, e.Class, kind.Code)
		}
		if c.Text(msg.EN, key, nil) != kind.Msg {
			t.Errorf("%q: English text %q differs from the domain's", kind.Msg, c.Text(msg.EN, key, nil))
		}
	}
	for code, key := range domainClassKeys {
		if e, _ := c.Lookup(key); string(e.Class) != string(code) {
			t.Errorf("class %s: code %s has class %s", code, key, e.Class)
		}
	}
}
