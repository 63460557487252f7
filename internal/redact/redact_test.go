package redact

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"esdb://admin:changeit@localhost:2113?tls=false", "esdb://admin:REDACTED@localhost:2113?tls=false"},
		{"open store postgres://ledger:s3cr%40t@db.example:5432/tl?sslmode=disable: refused", "open store postgres://ledger:REDACTED@db.example:5432/tl?sslmode=disable: refused"},
		{"esdb+discover://u:p@a,b,c", "esdb+discover://u:REDACTED@a,b,c"},
		{"host=db user=tl password='x y' dbname=tl", "host=db user=tl password=REDACTED dbname=tl"},
		{"postgres://db/tl?user=tl&password=hunter2&sslmode=require", "postgres://db/tl?user=tl&password=REDACTED&sslmode=require"},
		{"Authorization: Bearer tl_AbCdEf0123456789xyz", "Authorization: Bearer REDACTED"},
		{`token "tl_AbCdEf0123456789xyz" is not valid`, `token "tl_REDACTED" is not valid`},
		{"https://example.org/path and ./data and memory", "https://example.org/path and ./data and memory"},
		{"esdb://localhost:2113", "esdb://localhost:2113"},
		{"a tl_ prefix alone", "a tl_ prefix alone"},
	}
	for _, tc := range tests {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q)\n = %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestError(t *testing.T) {
	base := errors.New("connection refused")
	err := Error(fmt.Errorf("open esdb://admin:changeit@host: %w", base))
	if strings.Contains(err.Error(), "changeit") || !errors.Is(err, base) {
		t.Errorf("%v (is base: %v)", err, errors.Is(err, base))
	}
	if Error(nil) != nil {
		t.Errorf("Error(nil) is not nil")
	}
}

type stringer struct{}

func (stringer) String() string { return "esdb://a:b@c" }

func TestHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewHandler(slog.NewTextHandler(&buf, nil)))
	log = log.With("store", "postgres://u:pw1@h/db")
	log.WithGroup("g").Info("opened esdb://u:pw2@h",
		"err", errors.New("dial esdb://u:pw3@h: refused"),
		"token", "tl_abcdefghijklmnop",
		"s", stringer{},
		slog.Group("inner", "url", "esdb://u:pw4@h", "n", 3),
		"n", 42,
	)
	out := buf.String()
	for _, secret := range []string{"pw1", "pw2", "pw3", "pw4", "tl_abcdefghijklmnop", ":b@"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log shows %q:\n%s", secret, out)
		}
	}
	for _, kept := range []string{"u:REDACTED@h", "g.n=42", "g.inner.n=3"} {
		if !strings.Contains(out, kept) {
			t.Errorf("the log lacks %q:\n%s", kept, out)
		}
	}
	if h := NewHandler(log.Handler()); h != log.Handler() {
		t.Errorf("wrapping twice")
	}
}
