// Package apiclient asks taskledger's GraphQL API (graphql/schema.graphql,
// docs/graphql.md) for what the command line and the dashboard's downloads
// show: the query documents they send, the shapes of the answers, and the
// conversion of scorecards to export rows. It checks no access rule: the
// server decides what a token may see.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxResponse bounds how much of a response Client reads.
const maxResponse = 256 << 20

// Client posts GraphQL documents to a running server.
type Client struct {
	// Endpoint is the server's /graphql URL.
	Endpoint string
	// Token is sent as a bearer token; empty sends none (the public role).
	Token string
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
	// Lang is sent as Accept-Language (zh or en), the language of the
	// server's messages; empty sends none (Chinese).
	Lang string
}

// New returns a client of the server at base (http://host:port, with or
// without the /graphql path) acting with token.
func New(base, token string, hc *http.Client) (*Client, error) {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, fmt.Errorf("server %q: give an http:// or https:// URL, e.g. http://localhost:8080", base)
	}
	if !strings.HasSuffix(base, "/graphql") {
		base += "/graphql"
	}
	return &Client{Endpoint: base, Token: token, HTTP: hc}, nil
}

// Error is an error the API answered with, or a request it refused.
type Error struct {
	// Status is the HTTP status of the response.
	Status int
	// Code is the error's extensions.code (UNAUTHENTICATED, FORBIDDEN, …);
	// INTERNAL when the response carried none.
	Code    string
	Message string
	// MessageCode is the message's code in docs/errors.md, where the
	// server gave one.
	MessageCode string
}

func (e *Error) Error() string {
	if e.MessageCode == "" {
		return fmt.Sprintf("%s [%s]", e.Message, e.Code)
	}
	return fmt.Sprintf("%s [%s] (%s)", e.Message, e.Code, e.MessageCode)
}

// Query posts doc with vars and decodes the response's data into out.
func (c *Client) Query(ctx context.Context, doc string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": doc, "variables": vars})
	if err != nil {
		return fmt.Errorf("encode GraphQL request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("GraphQL request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("ask %s: %w", c.Endpoint, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("read the answer of %s: %w", c.Endpoint, err)
	}
	return Decode(resp.StatusCode, data, out)
}

// Decode reads a GraphQL response with HTTP status status: the first of
// its errors as an *Error, else its data decoded into out.
func Decode(status int, body []byte, out any) error {
	var resp struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string `json:"message"`
			Extensions struct {
				Code        string `json:"code"`
				MessageCode string `json:"messageCode"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return fmt.Errorf("decode API response (status %d): %w", status, err)
	}
	if len(resp.Errors) > 0 {
		e := resp.Errors[0]
		code := e.Extensions.Code
		if code == "" {
			code = "INTERNAL"
		}
		return &Error{Status: status, Code: code, Message: e.Message, MessageCode: e.Extensions.MessageCode}
	}
	if status != http.StatusOK {
		return &Error{Status: status, Code: "INTERNAL", Message: http.StatusText(status)}
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		return fmt.Errorf("decode API data: %w", err)
	}
	return nil
}
