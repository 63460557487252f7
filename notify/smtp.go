package notify

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"taskledger/domain"
)

// Mail is a Watermill publisher that sends each message as an e-mail over
// SMTP: the Chinese subject RFC 2047-encoded, the text as a UTF-8 body,
// the stable id as Message-ID and X-Taskledger-Message-Id. The server's
// acceptance of the DATA accepts the message.
type Mail struct {
	addr     string
	host     string
	auth     smtp.Auth
	from     string
	to       []string
	now      func() time.Time
	sendMail func(addr string, a smtp.Auth, from string, to []string, msg []byte) error
}

// NewMail parses smtp://user:pass@host:port?from=a@x&to=b@y,c@z (user and
// password optional; port 25 by default) into a mail publisher. now dates
// the messages.
func NewMail(rawURL string, now func() time.Time) (*Mail, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
		return nil, fmt.Errorf("SMTP URL %q is not smtp://[user:pass@]host[:port]?from=…&to=…", redact(rawURL))
	}
	q := u.Query()
	from, err := mail.ParseAddress(q.Get("from"))
	if err != nil {
		return nil, fmt.Errorf("SMTP URL: from=%q is not an e-mail address", q.Get("from"))
	}
	var to []string
	for _, a := range strings.Split(q.Get("to"), ",") {
		addr, err := mail.ParseAddress(strings.TrimSpace(a))
		if err != nil {
			return nil, fmt.Errorf("SMTP URL: to=%q is not a list of e-mail addresses", q.Get("to"))
		}
		to = append(to, addr.Address)
	}
	port := u.Port()
	if port == "" {
		port = "25"
	}
	m := &Mail{addr: net.JoinHostPort(u.Hostname(), port), host: u.Hostname(), from: from.Address, to: to, now: now, sendMail: smtp.SendMail}
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		m.auth = smtp.PlainAuth("", user, pass, u.Hostname())
	}
	return m, nil
}

// redact hides a URL's password.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Publish sends each message in turn, stopping at the first failure.
func (m *Mail) Publish(_ string, msgs ...*message.Message) error {
	for _, msg := range msgs {
		body, err := m.compose(msg)
		if err != nil {
			return err
		}
		if err := m.sendMail(m.addr, m.auth, m.from, m.to, body); err != nil {
			return fmt.Errorf("send mail through %s: %w", m.addr, err)
		}
	}
	return nil
}

// compose writes the e-mail of one message.
func (m *Mail) compose(msg *message.Message) ([]byte, error) {
	var body Message
	if err := json.Unmarshal(msg.Payload, &body); err != nil {
		return nil, fmt.Errorf("mail: the message is not a reminder: %w", err)
	}
	if body.Subject == "" {
		return nil, errors.New("mail: the message has no subject")
	}
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", m.from)
	header("To", strings.Join(m.to, ", "))
	header("Subject", mime.BEncoding.Encode("UTF-8", body.Subject))
	header("Date", m.now().Format(time.RFC1123Z))
	header("Message-ID", "<"+msg.UUID+"@taskledger>")
	header("X-Taskledger-Message-Id", msg.UUID)
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	text := base64.StdEncoding.EncodeToString([]byte(mailText(body)))
	for len(text) > 76 {
		b.WriteString(text[:76] + "\r\n")
		text = text[76:]
	}
	b.WriteString(text + "\r\n")
	return b.Bytes(), nil
}

// mailText is the body people read: the reminder in Chinese, then its
// facts.
func mailText(m Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", m.Text)
	fmt.Fprintf(&b, "方案：%s\n", m.Plan.Name)
	fmt.Fprintf(&b, "任务：第%d项 %s\n", m.Task, m.TaskTitle)
	fmt.Fprintf(&b, "责任单位：%s\n", m.Unit.Name)
	fmt.Fprintf(&b, "期限：%s\n", m.Due)
	if m.DaysOverdue > 0 {
		fmt.Fprintf(&b, "已逾期：%d天\n", m.DaysOverdue)
	}
	fmt.Fprintf(&b, "记录时间：%s\n", m.RecordedAt.In(domain.Shanghai()).Format("2006-01-02 15:04"))
	return b.String()
}

// Close does nothing: each message opens its own connection.
func (m *Mail) Close() error { return nil }
