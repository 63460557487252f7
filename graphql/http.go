package graphql

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	gql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
	"github.com/vektah/gqlparser/v2/ast"

	"taskledger/graphql/auth"
	"taskledger/graphql/respcache"
)

// request is a GraphQL-over-HTTP request.
type request struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

// response is what the transport writes.
type response struct {
	Errors []*gqlerrors.QueryError `json:"errors,omitempty"`
	Data   json.RawMessage         `json:"data,omitempty"`
}

// serveGraphQL is /graphql: WebSocket upgrades go to the
// graphql-transport-ws handler; GET runs queries; POST runs anything but
// subscriptions.
func (s *Server) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	if isWebSocket(r) {
		s.serveWebSocket(w, r)
		return
	}
	start := time.Now()
	op, status := "unknown", http.StatusOK
	defer func() {
		if v := recover(); v != nil {
			s.logger.Error("panic serving /graphql", "panic", v, "stack", string(debug.Stack()))
			status = http.StatusInternalServerError
			writeJSON(w, status, response{Errors: []*gqlerrors.QueryError{requestError(CodeInternal, "", internalMessage)}})
		}
		s.metrics.ObserveRequest(op, status, time.Since(start))
	}()
	fail := func(code int, c Code, kind, msg string) {
		status = code
		if code == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="taskledger"`)
		}
		writeJSON(w, code, response{Errors: []*gqlerrors.QueryError{requestError(c, kind, msg)}})
	}

	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		fail(http.StatusMethodNotAllowed, CodeInvalidArgument, "", "use POST (any operation) or GET (queries only)")
		return
	}
	p, err := s.authenticate(r.Header.Get("Authorization"))
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			fail(http.StatusUnauthorized, CodeUnauthenticated, "", ae.msg)
		} else {
			s.logger.Error("token lookup failed", "err", err)
			fail(http.StatusInternalServerError, CodeInternal, "", internalMessage)
		}
		return
	}
	req, code, msg := s.readRequest(w, r)
	if code != 0 {
		kind := "syntax"
		if code == http.StatusRequestEntityTooLarge {
			kind = "limit"
		}
		fail(code, CodeInvalidArgument, kind, msg)
		return
	}
	if req.Query == "" {
		fail(http.StatusBadRequest, CodeInvalidArgument, "syntax", "the request has no query")
		return
	}
	if len(req.Query) > s.limits.MaxQueryBytes {
		fail(http.StatusBadRequest, CodeInvalidArgument, "limit", fmt.Sprintf("the query is %d bytes long, more than the limit of %d", len(req.Query), s.limits.MaxQueryBytes))
		return
	}
	a, err := analyze(req.Query, req.OperationName)
	if err != nil {
		var de *documentError
		errors.As(err, &de)
		fail(http.StatusBadRequest, CodeInvalidArgument, de.kind, de.msg)
		return
	}
	op = string(a.typ)
	switch {
	case r.Method == http.MethodGet && a.typ != ast.Query:
		w.Header().Set("Allow", "POST")
		fail(http.StatusMethodNotAllowed, CodeInvalidArgument, "", fmt.Sprintf("a %s cannot be sent with GET: use POST", a.typ))
		return
	case a.typ == ast.Subscription:
		fail(http.StatusBadRequest, CodeInvalidArgument, "validation", "subscriptions run over WebSocket at /graphql with the graphql-transport-ws protocol")
		return
	}
	if a.fields > s.limits.MaxFields {
		fail(http.StatusBadRequest, CodeInvalidArgument, "limit", fmt.Sprintf("the operation selects %s fields once its fragments are expanded, more than the limit of %d", countText(a.fields), s.limits.MaxFields))
		return
	}
	if !p.Authenticated() {
		for _, f := range a.rootFields {
			if !publicRootField(f) {
				fail(http.StatusUnauthorized, CodeUnauthenticated, "", fmt.Sprintf("authentication required for %s: send Authorization: Bearer <token> (without a token only ledger, me and publishedScorecards are open)", f))
				return
			}
		}
	}

	ctx, cancel := context.WithTimeout(withPrincipal(r.Context(), p), s.limits.RequestTimeout)
	defer cancel()
	var res respcache.Response
	if key, ok := s.responseKey(p, a, req); ok && s.responses != nil {
		gen := s.responses.GenerationAt(s.views.Version(), s.now())
		var hit bool
		res, hit = s.responses.Do(ctx, key, gen, func() respcache.Response {
			res := s.execHTTP(ctx, req)
			res.Keep = res.Keep && s.views.Version() == gen.Version
			return res
		})
		if hit {
			w.Header().Set("X-Taskledger-Cache", "hit")
		} else {
			w.Header().Set("X-Taskledger-Cache", "miss")
		}
	} else {
		res = s.execHTTP(ctx, req)
	}
	status = res.Status
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="taskledger"`)
	}
	writeBody(w, status, res.Body)
}

// responseKey names a request for the response cache; ok is false for
// requests that must not share a response: anything but a query whose
// root fields all answer from the ledger's content.
func (s *Server) responseKey(p auth.Principal, a analysis, req request) (key respcache.Key, ok bool) {
	if a.typ != ast.Query {
		return key, false
	}
	for _, f := range a.rootFields {
		if !cacheableRoot(f) {
			return key, false
		}
	}
	key, err := respcache.KeyOf(respcache.Request{
		Identity:      []string{p.TokenID, string(p.Role), string(p.Unit), p.Name},
		OperationName: req.OperationName,
		Query:         req.Query,
		Variables:     req.Variables,
	})
	if err != nil {
		s.logger.Warn("a query's response cannot be shared", "err", err)
		return key, false
	}
	return key, true
}

// execHTTP runs a checked request through the engine and encodes the
// response.
func (s *Server) execHTTP(ctx context.Context, req request) respcache.Response {
	res := s.schema.Exec(ctx, req.Query, req.OperationName, req.Variables)
	out := response{Errors: s.fixErrors(ctx, res.Errors), Data: res.Data}
	r := respcache.Response{Status: http.StatusOK}
	switch {
	case refused(res):
		// Refused before execution: the document or its variables did
		// not validate.
		r.Status, out.Data = http.StatusBadRequest, nil
	case hasCode(out.Errors, CodeUnauthenticated):
		r.Status = http.StatusUnauthorized
	}
	b, err := out.marshal()
	if err != nil {
		s.logger.Error("encoding a response failed", "err", err)
		return respcache.Response{Status: http.StatusInternalServerError, Body: []byte(internalResponse)}
	}
	r.Body = b
	// Only a success may be shared.
	r.Keep = r.Status == http.StatusOK && len(out.Errors) == 0
	return r
}

// refused reports whether the engine refused an operation before running
// any resolver: errors without a path and no data.
func refused(res *gql.Response) bool {
	if len(res.Errors) == 0 {
		return false
	}
	for _, e := range res.Errors {
		if e.Path != nil {
			return false
		}
	}
	d := strings.TrimSpace(string(res.Data))
	return d == "" || d == "null" || d == "{}"
}

func countText(n int) string {
	if n > 1_000_000_000 {
		return "more than a billion"
	}
	return fmt.Sprint(n)
}

// readRequest reads a GET's query parameters or a POST's JSON body. On
// failure it returns an HTTP status and a message.
func (s *Server) readRequest(w http.ResponseWriter, r *http.Request) (request, int, string) {
	var req request
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		req.Query, req.OperationName = q.Get("query"), q.Get("operationName")
		if v := q.Get("variables"); v != "" {
			if err := json.Unmarshal([]byte(v), &req.Variables); err != nil {
				return req, http.StatusBadRequest, "variables is not a JSON object: " + err.Error()
			}
		}
		return req, 0, ""
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && mt != "application/graphql-response+json") {
			return req, http.StatusUnsupportedMediaType, fmt.Sprintf("send the request as application/json, not %q", ct)
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.limits.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return req, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than the limit of %d bytes", s.limits.MaxBodyBytes)
		}
		return req, http.StatusBadRequest, "the request body could not be read"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return req, http.StatusBadRequest, "the body is not a JSON request object: " + err.Error()
	}
	if dec.More() {
		return req, http.StatusBadRequest, "the body holds more than one JSON value"
	}
	return req, 0, ""
}

// authenticate returns the principal an Authorization header names:
// Public without one, an UNAUTHENTICATED apiError for a bad one.
func (s *Server) authenticate(header string) (auth.Principal, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return auth.Anonymous(), nil
	}
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return auth.Principal{}, newError(CodeUnauthenticated, "the Authorization header must be \"Bearer <token>\"")
	}
	p, err := s.cfg.Tokens.Lookup(strings.TrimSpace(token))
	if errors.Is(err, auth.ErrInvalidToken) {
		return auth.Principal{}, newError(CodeUnauthenticated, "the token is not valid")
	}
	return p, err
}

// fixErrors gives every error an extensions.code and hides internal
// failures behind a generic message (logging them).
func (s *Server) fixErrors(ctx context.Context, errs []*gqlerrors.QueryError) []*gqlerrors.QueryError {
	for _, qe := range errs {
		switch {
		case qe.ResolverError != nil:
			ae, internal := classify(qe.ResolverError)
			if internal {
				s.logger.Error("request failed", "path", fmt.Sprint(qe.Path), "err", qe.ResolverError)
			}
			qe.Message = ae.msg
			qe.Extensions = ae.Extensions()
		case queryErrorCode(qe) != "":
		case errors.Is(qe.Err, context.DeadlineExceeded) || strings.Contains(qe.Message, context.DeadlineExceeded.Error()):
			qe.Message = fmt.Sprintf("the request took longer than %s and was stopped", s.limits.RequestTimeout)
			qe.Extensions = map[string]any{"code": string(CodeInternal)}
		case qe.Rule != "" || len(qe.Locations) > 0 || qe.Path == nil:
			kind := "validation"
			if isLimitMessage(qe.Message) {
				kind = "limit"
			} else if errors.Is(qe.Err, gqlerrors.ErrSyntax) {
				kind = "syntax"
			}
			qe.Extensions = map[string]any{"code": string(CodeInvalidArgument), "kind": kind}
		default:
			qe.Extensions = map[string]any{"code": string(CodeInternal)}
		}
	}
	return errs
}

func hasCode(errs []*gqlerrors.QueryError, c Code) bool {
	for _, e := range errs {
		if queryErrorCode(e) == c {
			return true
		}
	}
	return false
}

// internalResponse is written when a response cannot be encoded.
const internalResponse = `{"errors":[{"message":"internal error: the response could not be encoded","extensions":{"code":"INTERNAL"}}]}`

func writeJSON(w http.ResponseWriter, status int, v any) {
	var b []byte
	var err error
	if r, ok := v.(response); ok {
		b, err = r.marshal()
	} else {
		b, err = json.Marshal(v)
	}
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(internalResponse)
	}
	writeBody(w, status, b)
}

// writeBody writes a JSON response body.
func writeBody(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// marshal writes the response with its data as the engine produced it
// (encoding/json would re-scan and compact the raw data).
func (r response) marshal() ([]byte, error) {
	b := make([]byte, 0, len(r.Data)+64)
	b = append(b, '{')
	if len(r.Errors) > 0 {
		errs, err := json.Marshal(r.Errors)
		if err != nil {
			return nil, err
		}
		b = append(b, `"errors":`...)
		b = append(b, errs...)
	}
	if len(r.Data) > 0 {
		if len(r.Errors) > 0 {
			b = append(b, ',')
		}
		b = append(b, `"data":`...)
		b = append(b, r.Data...)
	}
	return append(b, '}'), nil
}

// panicHandler turns a resolver panic into an INTERNAL error that says
// nothing about the panic; panicLogger logs it.
type panicHandler struct {
	logger interface{ Error(string, ...any) }
}

// MakePanicError implements the engine's PanicHandler.
func (h panicHandler) MakePanicError(ctx context.Context, value any) *gqlerrors.QueryError {
	return &gqlerrors.QueryError{Message: internalMessage, Extensions: map[string]any{"code": string(CodeInternal)}}
}

type panicLogger struct {
	logger interface{ Error(string, ...any) }
}

// LogPanic implements the engine's Logger.
func (l panicLogger) LogPanic(ctx context.Context, value any) {
	l.logger.Error("panic in a resolver", "panic", fmt.Sprint(value), "stack", string(debug.Stack()))
}
