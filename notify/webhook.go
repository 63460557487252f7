package notify

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// The webhook's headers.
const (
	// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the body
	// under the shared secret.
	SignatureHeader = "X-Taskledger-Signature"
	// IDHeader carries the message's stable id (the reminder's event ID).
	IDHeader = "X-Taskledger-Message-Id"
	// TopicHeader carries the topic.
	TopicHeader = "X-Taskledger-Topic"
)

// Sign returns the signature header value of body under secret.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature is body's under secret, in constant
// time: what a receiver checks.
func Verify(secret, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(signature))
}

// Webhook is a Watermill publisher that POSTs each message's payload (the
// JSON Message) to a URL, signed with a shared secret. Any 2xx answer
// accepts the message; anything else, or no answer, is a failure to retry.
type Webhook struct {
	url    string
	secret []byte
	client *http.Client
}

// NewWebhook returns a publisher posting to rawURL (http or https) signed
// with secret, which must not be empty.
func NewWebhook(rawURL string, secret []byte) (*Webhook, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("webhook URL %q is not an http or https URL", rawURL)
	}
	if len(secret) == 0 {
		return nil, errors.New("a webhook needs a shared secret to sign with")
	}
	return &Webhook{url: u.String(), secret: secret, client: &http.Client{Timeout: 20 * time.Second}}, nil
}

// Publish posts each message in turn, stopping at the first failure.
func (w *Webhook) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		if err := w.post(topic, m); err != nil {
			return err
		}
	}
	return nil
}

// post sends one message.
func (w *Webhook) post(topic string, m *message.Message) error {
	req, err := http.NewRequestWithContext(m.Context(), http.MethodPost, w.url, bytes.NewReader(m.Payload))
	if err != nil {
		return fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set(IDHeader, m.UUID)
	req.Header.Set(TopicHeader, topic)
	req.Header.Set(SignatureHeader, Sign(w.secret, m.Payload))
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook post: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// Close releases idle connections.
func (w *Webhook) Close() error {
	w.client.CloseIdleConnections()
	return nil
}
