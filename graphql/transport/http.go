package transport

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

	"taskledger/auth"
	"taskledger/graphql/respcache"
	msgs "taskledger/internal/msg"
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
	// lang is the language of the error counting those left out (see
	// boundErrors).
	lang msgs.Lang
}

// serveGraphQL serves a GraphQL request over HTTP.
func (h *Handler) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", responseType(r)+"; charset=utf-8")
	start := time.Now()
	op, status := "unknown", http.StatusOK
	var fields []string
	lang := msgs.FromAcceptLanguage(r.Header.Get("Accept-Language"))
	defer func() {
		if v := recover(); v != nil {
			h.cfg.Logger.Error("panic serving /graphql", "panic", v, "stack", string(debug.Stack()))
			status = http.StatusInternalServerError
			writeJSON(w, status, response{Errors: []*gqlerrors.QueryError{internalError(lang)}})
		}
		h.cfg.Metrics.ObserveRequest(op, fields, status, time.Since(start))
	}()
	fail := func(code int, c Code, kind string, why refusal) {
		status = code
		if code == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="taskledger"`)
		}
		writeJSON(w, code, response{Errors: []*gqlerrors.QueryError{catalogued(lang, c, kind, why)}})
	}

	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		fail(http.StatusMethodNotAllowed, CodeInvalidArgument, "", refusal{key: msgs.APIMethodNotAllowed})
		return
	}
	// The body is bounded before anything else looks at the request, so
	// that no path (authentication included) reads more than the limit.
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, h.cfg.Limits.MaxBodyBytes)
	}
	p, err := h.authenticate(r.Header.Get("Authorization"))
	if sp, ok := auth.SessionOf(r.Context()); ok && err == nil && !p.Authenticated() {
		// A dashboard session the dashboard checked (cookie and CSRF
		// token); an Authorization header takes precedence.
		p = sp
	}
	if err != nil {
		var ce *credentialError
		if errors.As(err, &ce) {
			fail(http.StatusUnauthorized, CodeUnauthenticated, "", ce.why)
		} else {
			h.cfg.Logger.Error("token lookup failed", "err", err)
			writeJSON(w, http.StatusInternalServerError, response{Errors: []*gqlerrors.QueryError{internalError(lang)}})
			status = http.StatusInternalServerError
		}
		return
	}
	req, code, why := h.readRequest(w, r)
	if code != 0 {
		kind := "syntax"
		if code == http.StatusRequestEntityTooLarge {
			kind = "limit"
		}
		fail(code, CodeInvalidArgument, kind, why)
		return
	}
	if len(req.Query) > h.cfg.Limits.MaxQueryBytes {
		fail(http.StatusBadRequest, CodeInvalidArgument, "limit", h.queryTooLong(req.Query))
		return
	}
	if e := h.cfg.Persisted.resolve(&req); e != nil {
		status = e.status
		writeJSON(w, e.status, response{Errors: []*gqlerrors.QueryError{e.queryError(lang)}})
		return
	}
	if req.Query == "" {
		fail(http.StatusBadRequest, CodeInvalidArgument, "syntax", refusal{key: msgs.APIQueryMissing})
		return
	}
	a, err := Analyze(req.Query, req.OperationName, req.Variables)
	if err != nil {
		var de *DocumentError
		errors.As(err, &de)
		fail(http.StatusBadRequest, CodeInvalidArgument, de.Kind, documentRefusal(de.Kind, de.Msg))
		return
	}
	op, fields = string(a.Type), a.RootFields
	switch {
	case r.Method == http.MethodGet && a.Type != ast.Query:
		w.Header().Set("Allow", "POST")
		fail(http.StatusMethodNotAllowed, CodeInvalidArgument, "", refusal{msgs.APIGetNotQuery, msgs.Args{"Type": string(a.Type)}})
		return
	case a.Type == ast.Subscription:
		fail(http.StatusBadRequest, CodeInvalidArgument, "validation", refusal{key: msgs.APISubscriptionOverWS})
		return
	}
	if qe := h.checkCost(a, lang); qe != nil {
		status = http.StatusBadRequest
		writeJSON(w, status, response{Errors: []*gqlerrors.QueryError{qe}})
		return
	}
	if !p.Authenticated() {
		for _, f := range a.RootFields {
			if !h.cfg.PublicField(f) {
				fail(http.StatusUnauthorized, CodeUnauthenticated, "", refusal{msgs.APIAuthRequired, msgs.Args{"Field": f}})
				return
			}
		}
	}

	ctx, cancel := context.WithTimeout(msgs.WithLang(h.cfg.WithPrincipal(r.Context(), p), lang), h.cfg.Limits.RequestTimeout)
	defer cancel()
	var res respcache.Response
	if key, ok := h.responseKey(p, a, req, lang); ok && h.cfg.Responses != nil {
		gen := h.cfg.Responses.GenerationAt(h.cfg.Version(), h.cfg.Clock())
		var hit bool
		res, hit = h.cfg.Responses.Do(ctx, key, gen, func() respcache.Response {
			res := h.execHTTP(ctx, req)
			res.Keep = res.Keep && h.cfg.Version() == gen.Version
			return res
		})
		if hit {
			w.Header().Set("X-Taskledger-Cache", "hit")
		} else {
			w.Header().Set("X-Taskledger-Cache", "miss")
		}
	} else {
		res = h.execHTTP(ctx, req)
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
func (h *Handler) responseKey(p auth.Principal, a Analysis, req request, lang msgs.Lang) (key respcache.Key, ok bool) {
	if a.Type != ast.Query {
		return key, false
	}
	for _, f := range a.RootFields {
		if !h.cfg.CacheableField(f) {
			return key, false
		}
	}
	key, err := respcache.KeyOf(respcache.Request{
		Identity:      []string{p.TokenID, string(p.Role), string(p.Unit), p.Name, p.Person.ID, string(lang)},
		OperationName: req.OperationName,
		Query:         req.Query,
		Variables:     req.Variables,
	})
	if err != nil {
		h.cfg.Logger.Warn("a query's response cannot be shared", "err", err)
		return key, false
	}
	return key, true
}

// execHTTP runs a checked request through the engine and encodes the
// response.
func (h *Handler) execHTTP(ctx context.Context, req request) respcache.Response {
	res := h.cfg.Engine.Exec(ctx, req.Query, req.OperationName, req.Variables)
	out := response{Errors: h.fixErrors(ctx, res.Errors), Data: res.Data, lang: msgs.LangOf(ctx)}
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
		h.cfg.Logger.Error("encoding a response failed", "err", err)
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

// checkCost refuses an operation that selects too many fields or costs
// more than the limit (Analysis.Cost), before the engine runs it.
func (h *Handler) checkCost(a Analysis, lang msgs.Lang) *gqlerrors.QueryError {
	l := h.cfg.Limits
	if a.Fields > l.MaxFields {
		return catalogued(lang, CodeInvalidArgument, "limit", refusal{msgs.APITooManyFields, msgs.Args{"Fields": countText(a.Fields), "Max": l.MaxFields}})
	}
	if cost := a.Cost(l.ReplayCost); cost > l.MaxCost {
		qe := catalogued(lang, CodeCostLimited, "limit", refusal{msgs.APICostLimited, msgs.Args{
			"Cost": countText(cost), "FieldCount": a.Fields, "Replays": a.Replays, "ReplayCost": l.ReplayCost, "Max": l.MaxCost}})
		qe.Extensions["cost"] = cost
		qe.Extensions["maxCost"] = l.MaxCost
		return qe
	}
	return nil
}

func countText(n int) string {
	if n > 1_000_000_000 {
		return "more than a billion"
	}
	return fmt.Sprint(n)
}

// queryTooLong is the refusal of a query document over MaxQueryBytes.
func (h *Handler) queryTooLong(query string) refusal {
	return refusal{msgs.APIQueryTooLong, msgs.Args{"Bytes": len(query), "Max": h.cfg.Limits.MaxQueryBytes}}
}

// readRequest reads a GET's query parameters or a POST's JSON body. On
// failure it returns an HTTP status and the refusal.
func (h *Handler) readRequest(w http.ResponseWriter, r *http.Request) (request, int, refusal) {
	var req request
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		req.Query, req.OperationName = q.Get("query"), q.Get("operationName")
		if v := q.Get("variables"); v != "" {
			if err := json.Unmarshal([]byte(v), &req.Variables); err != nil {
				return req, http.StatusBadRequest, refusal{msgs.APIParamNotJSON, msgs.Args{"Param": "variables", "Detail": err.Error()}}
			}
		}
		if v := q.Get("extensions"); v != "" {
			if err := json.Unmarshal([]byte(v), &req.Extensions); err != nil {
				return req, http.StatusBadRequest, refusal{msgs.APIParamNotJSON, msgs.Args{"Param": "extensions", "Detail": err.Error()}}
			}
		}
		return req, 0, refusal{}
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && mt != "application/graphql-response+json") {
			return req, http.StatusUnsupportedMediaType, refusal{msgs.APIContentType, msgs.Args{"Type": ct}}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.Limits.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return req, http.StatusRequestEntityTooLarge, refusal{msgs.APIBodyTooLarge, msgs.Args{"Max": h.cfg.Limits.MaxBodyBytes}}
		}
		return req, http.StatusBadRequest, refusal{key: msgs.APIBodyUnreadable}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return req, http.StatusBadRequest, refusal{msgs.APIBodyNotJSON, msgs.Args{"Detail": err.Error()}}
	}
	if dec.More() {
		return req, http.StatusBadRequest, refusal{key: msgs.APIBodyManyValues}
	}
	return req, 0, refusal{}
}

// credentialError is an Authorization header or token the server refuses.
type credentialError struct{ why refusal }

func (e *credentialError) Error() string { return msgs.Text(msgs.EN, e.why.key, e.why.args) }

// authenticate returns the principal an Authorization header names:
// Public without one, a *credentialError for a bad one, another error when
// the tokens could not be read.
func (h *Handler) authenticate(header string) (auth.Principal, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return auth.Anonymous(), nil
	}
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return auth.Principal{}, &credentialError{refusal{key: msgs.APIAuthorizationHeader}}
	}
	p, err := h.cfg.Tokens.Lookup(strings.TrimSpace(token))
	switch {
	case errors.Is(err, auth.ErrTokenExpired):
		return auth.Principal{}, &credentialError{refusal{key: msgs.APITokenExpired}}
	case errors.Is(err, auth.ErrTokenRevoked):
		return auth.Principal{}, &credentialError{refusal{key: msgs.APITokenRevoked}}
	case errors.Is(err, auth.ErrInvalidToken):
		return auth.Principal{}, &credentialError{refusal{key: msgs.APITokenInvalid}}
	}
	if err != nil {
		return auth.Principal{}, fmt.Errorf("look up a bearer token: %w", err)
	}
	return p, nil
}

// fixErrors gives every error an extensions.code and hides internal
// failures behind a generic message (logging them).
func (h *Handler) fixErrors(ctx context.Context, errs []*gqlerrors.QueryError) []*gqlerrors.QueryError {
	lang := msgs.LangOf(ctx)
	for _, qe := range errs {
		switch {
		case qe.ResolverError != nil:
			qe.Message, qe.Extensions = h.cfg.ResolverError(ctx, qe.Path, qe.ResolverError)
		case queryErrorCode(qe) != "":
		case errors.Is(qe.Err, context.DeadlineExceeded) || strings.Contains(qe.Message, context.DeadlineExceeded.Error()):
			why := refusal{msgs.APITimeout, msgs.Args{"Timeout": h.cfg.Limits.RequestTimeout.String()}}
			qe.Message = msgs.Text(lang, why.key, why.args)
			qe.Extensions = map[string]any{"code": string(CodeInternal)}
			addCatalogue(qe, why)
		case qe.Rule != "" || len(qe.Locations) > 0 || qe.Path == nil:
			kind := "validation"
			if isLimitMessage(qe.Message) {
				kind = "limit"
			} else if errors.Is(qe.Err, gqlerrors.ErrSyntax) {
				kind = "syntax"
			}
			why := documentRefusal(kind, qe.Message)
			qe.Message = msgs.Text(lang, why.key, why.args)
			qe.Extensions = map[string]any{"code": string(CodeInvalidArgument), "kind": kind}
			addCatalogue(qe, why)
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

// responseType is the media type a response is sent as: the GraphQL
// response type when the request's Accept names it before
// application/json, else application/json (the GraphQL-over-HTTP
// specification's two).
func responseType(r *http.Request) string {
	const gqlType = "application/graphql-response+json"
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" {
			continue
		}
		switch mt {
		case gqlType:
			return gqlType
		case "application/json":
			return "application/json"
		}
	}
	return "application/json"
}

// writeBody writes a JSON response body, as the media type serveGraphQL
// chose (application/json when it chose none).
func writeBody(w http.ResponseWriter, status int, b []byte) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
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
		errs, err := json.Marshal(boundErrors(r.Errors, r.lang))
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
