package notify_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"taskledger/notify"
)

// smtpSink is a minimal SMTP server: it accepts every message and keeps
// it, refusing the first DATA of the session it is told to fail.
type smtpSink struct {
	ln       net.Listener
	mu       sync.Mutex
	messages []*mail.Message
	failNext bool
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln}
	go s.serve()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *smtpSink) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(textproto.NewConn(c))
	}
}

// session speaks just enough SMTP for net/smtp.SendMail.
func (s *smtpSink) session(c *textproto.Conn) {
	defer c.Close()
	_ = c.PrintfLine("220 sink ESMTP")
	for {
		line, err := c.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch verb {
		case "EHLO", "HELO":
			_ = c.PrintfLine("250-sink")
			_ = c.PrintfLine("250 8BITMIME")
		case "MAIL", "RCPT", "RSET", "NOOP":
			_ = c.PrintfLine("250 ok")
		case "DATA":
			_ = c.PrintfLine("354 go ahead")
			body, err := io.ReadAll(c.DotReader())
			if err != nil {
				return
			}
			s.mu.Lock()
			fail := s.failNext
			s.failNext = false
			if !fail {
				if m, err := mail.ReadMessage(bufio.NewReader(strings.NewReader(string(body)))); err == nil {
					s.messages = append(s.messages, m)
				}
			}
			s.mu.Unlock()
			if fail {
				_ = c.PrintfLine("451 try again later")
				continue
			}
			_ = c.PrintfLine("250 queued")
		case "QUIT":
			_ = c.PrintfLine("221 bye")
			return
		default:
			_ = c.PrintfLine("502 not implemented")
		}
	}
}

func (s *smtpSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.messages)
}

// Each reminder arrives as one e-mail with its Chinese subject encoded per
// RFC 2047, a UTF-8 body and its stable id; a refused DATA is retried.
func TestMailDeliversEachReminderOnce(t *testing.T) {
	l := newLedger(t)
	l.tick(2025, 12, 26)
	sink := newSMTPSink(t)
	sink.failNext = true
	pub, err := notify.NewMail("smtp://"+sink.ln.Addr().String()+"?from=office@example.org&to=a@example.org,b@example.org", l.clock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := run(t, ctx, l.dispatcher("smtp", pub))
	waitFor(t, "every e-mail", func() bool { return sink.count() >= len(l.reminders) })
	cancel()
	<-done
	got := map[string]int{}
	dec := new(mime.WordDecoder)
	for i, m := range sink.messages {
		id := m.Header.Get("X-Taskledger-Message-Id")
		got[id]++
		if m.Header.Get("Message-ID") != "<"+id+"@taskledger>" {
			t.Errorf("message %d: Message-ID %q for id %s", i, m.Header.Get("Message-ID"), id)
		}
		raw := m.Header.Get("Subject")
		subject, err := dec.DecodeHeader(raw)
		if err != nil || !strings.HasPrefix(raw, "=?UTF-8?b?") || !strings.HasPrefix(subject, "【催办】") {
			t.Errorf("message %d: subject %q decodes to %q (%v)", i, raw, subject, err)
		}
		if ct := m.Header.Get("Content-Type"); ct != "text/plain; charset=UTF-8" {
			t.Errorf("message %d: Content-Type %q", i, ct)
		}
		body, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, m.Body))
		if err != nil || !strings.Contains(string(body), "将于") || !strings.Contains(string(body), "责任单位：") {
			t.Errorf("message %d: body %q (%v)", i, body, err)
		}
	}
	exactlyOnce(t, l.reminders, got)
}

// A malformed SMTP URL is refused with its password hidden.
func TestMailSettingsAreChecked(t *testing.T) {
	for _, u := range []string{
		"http://host?from=a@b&to=c@d",
		"smtp://user:hunter2@host:25?to=c@d",
		"smtp://host:25?from=a@b&to=not-an-address",
	} {
		_, err := notify.NewMail(u, time.Now)
		if err == nil {
			t.Errorf("%s was accepted", u)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}
