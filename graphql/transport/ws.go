package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	gql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"

	"taskledger/auth"
	msgs "taskledger/internal/msg"
)

// Subprotocol is the WebSocket subprotocol the server speaks
// (github.com/enisdenjo/graphql-ws, PROTOCOL.md).
const Subprotocol = "graphql-transport-ws"

// Close codes of the graphql-transport-ws protocol (PROTOCOL.md).
const (
	CloseBadMessage        websocket.StatusCode = 4400
	CloseUnauthorized      websocket.StatusCode = 4401
	CloseForbidden         websocket.StatusCode = 4403
	CloseSubprotocol       websocket.StatusCode = 4406
	CloseInitTimeout       websocket.StatusCode = 4408
	CloseDuplicateID       websocket.StatusCode = 4409
	CloseTooManyInitialise websocket.StatusCode = 4429
)

// wsWriteTimeout bounds one message write.
const wsWriteTimeout = 10 * time.Second

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func isWebSocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket") &&
		strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade")
}

// wsConn is one graphql-transport-ws connection.
type wsConn struct {
	h    *Handler
	c    *websocket.Conn
	ctx  context.Context // ends when the connection does; carries lang
	stop context.CancelFunc
	// lang is the language of the connection's messages, from the
	// upgrade request's Accept-Language.
	lang msgs.Lang

	mu        sync.Mutex
	principal auth.Principal
	acked     bool
	initSeen  bool
	ops       map[string]context.CancelFunc
	opsWG     sync.WaitGroup
}

// serveWebSocket upgrades /graphql to graphql-transport-ws. A token sent
// in the Authorization header is checked before the upgrade (401 if it is
// invalid); otherwise connection_init's payload carries it.
func (h *Handler) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	var upgradeP *auth.Principal
	lang := msgs.FromAcceptLanguage(r.Header.Get("Accept-Language"))
	if header := r.Header.Get("Authorization"); header != "" {
		p, err := h.authenticate(header)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="taskledger"`)
			writeJSON(w, http.StatusUnauthorized, response{Errors: []*gqlerrors.QueryError{catalogued(lang, CodeUnauthenticated, "", refusal{key: msgs.APITokenInvalid})}})
			h.cfg.Metrics.ObserveRequest("subscription", nil, http.StatusUnauthorized, 0)
			return
		}
		upgradeP = &p
	}
	if !h.trackConn() {
		writeJSON(w, http.StatusServiceUnavailable, response{Errors: []*gqlerrors.QueryError{catalogued(lang, CodeInternal, "", refusal{key: msgs.APIShuttingDown})}})
		return
	}
	defer h.conns.Done()
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{Subprotocol}})
	if err != nil {
		return // Accept has answered.
	}
	h.cfg.Metrics.WebSocketOpened()
	defer h.cfg.Metrics.WebSocketClosed()
	if c.Subprotocol() != Subprotocol {
		c.Close(CloseSubprotocol, "Subprotocol not acceptable: use "+Subprotocol)
		return
	}
	c.SetReadLimit(h.cfg.Limits.MaxBodyBytes)
	ctx, stop := context.WithCancel(msgs.WithLang(h.base, lang))
	conn := &wsConn{h: h, c: c, ctx: ctx, stop: stop, lang: lang, ops: map[string]context.CancelFunc{}, principal: auth.Anonymous()}
	if upgradeP != nil {
		conn.principal = *upgradeP
	}
	conn.run()
}

func (w *wsConn) run() {
	defer w.stop()
	initTimer := time.AfterFunc(w.h.cfg.Limits.InitTimeout, func() {
		w.mu.Lock()
		acked := w.acked
		w.mu.Unlock()
		if !acked {
			w.close(CloseInitTimeout, "Connection initialisation timeout")
		}
	})
	defer initTimer.Stop()
	go func() {
		<-w.ctx.Done()
		if w.h.closing.Load() {
			w.close(websocket.StatusGoingAway, "server shutting down")
		}
	}()
	for {
		typ, data, err := w.c.Read(context.Background())
		if err != nil {
			break
		}
		if typ != websocket.MessageText {
			w.close(CloseBadMessage, "Messages must be JSON text")
			break
		}
		var m wsMessage
		if err := json.Unmarshal(data, &m); err != nil || m.Type == "" {
			w.close(CloseBadMessage, "Invalid message received")
			break
		}
		if !w.handle(m) {
			break
		}
	}
	w.stop()
	w.mu.Lock()
	for _, cancel := range w.ops {
		cancel()
	}
	w.mu.Unlock()
	w.opsWG.Wait()
	_ = w.c.CloseNow()
}

func (w *wsConn) close(code websocket.StatusCode, reason string) {
	_ = w.c.Close(code, reason)
}

func (w *wsConn) send(m wsMessage) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(w.ctx, wsWriteTimeout)
	defer cancel()
	return w.c.Write(ctx, websocket.MessageText, b)
}

// handle acts on one client message; false ends the connection.
func (w *wsConn) handle(m wsMessage) bool {
	switch m.Type {
	case "connection_init":
		return w.init(m)
	case "ping":
		return w.send(wsMessage{Type: "pong"}) == nil
	case "pong":
		return true
	case "subscribe":
		w.mu.Lock()
		acked := w.acked
		w.mu.Unlock()
		if !acked {
			w.close(CloseUnauthorized, "Unauthorized")
			return false
		}
		return w.subscribe(m)
	case "complete":
		w.mu.Lock()
		if cancel, ok := w.ops[m.ID]; ok {
			cancel()
		}
		w.mu.Unlock()
		return true
	}
	w.close(CloseBadMessage, fmt.Sprintf("Invalid message type %q", m.Type))
	return false
}

// init authenticates connection_init: its payload may carry the token as
// authorization ("Bearer …"), Authorization, token, or
// headers.Authorization.
func (w *wsConn) init(m wsMessage) bool {
	w.mu.Lock()
	if w.initSeen {
		w.mu.Unlock()
		w.close(CloseTooManyInitialise, "Too many initialisation requests")
		return false
	}
	w.initSeen = true
	w.mu.Unlock()
	var payload map[string]any
	if len(m.Payload) > 0 && string(m.Payload) != "null" {
		if err := json.Unmarshal(m.Payload, &payload); err != nil {
			w.close(CloseBadMessage, "connection_init payload must be an object")
			return false
		}
	}
	header := initToken(payload)
	if header != "" {
		p, err := w.h.authenticate(header)
		if err != nil {
			w.close(CloseForbidden, "Forbidden: the token is not valid")
			return false
		}
		w.mu.Lock()
		w.principal = p
		w.mu.Unlock()
	}
	w.mu.Lock()
	w.acked = true
	w.mu.Unlock()
	return w.send(wsMessage{Type: "connection_ack"}) == nil
}

func initToken(payload map[string]any) string {
	str := func(v any) string { s, _ := v.(string); return s }
	for _, k := range []string{"authorization", "Authorization"} {
		if s := str(payload[k]); s != "" {
			return s
		}
	}
	if s := str(payload["token"]); s != "" {
		if strings.HasPrefix(strings.ToLower(s), "bearer ") {
			return s
		}
		return "Bearer " + s
	}
	if h, ok := payload["headers"].(map[string]any); ok {
		for k, v := range h {
			if strings.EqualFold(k, "Authorization") {
				return str(v)
			}
		}
	}
	return ""
}

// subscribe starts one operation.
func (w *wsConn) subscribe(m wsMessage) bool {
	if m.ID == "" {
		w.close(CloseBadMessage, "subscribe needs an id")
		return false
	}
	var req request
	if err := json.Unmarshal(m.Payload, &req); err != nil || req.Query == "" {
		w.close(CloseBadMessage, "subscribe payload must hold a query")
		return false
	}
	w.mu.Lock()
	if _, dup := w.ops[m.ID]; dup {
		w.mu.Unlock()
		w.close(CloseDuplicateID, fmt.Sprintf("Subscriber for %s already exists", m.ID))
		return false
	}
	if len(w.ops) >= w.h.cfg.Limits.MaxSubscriptionsPerConn {
		w.mu.Unlock()
		return w.sendErrors(m.ID, catalogued(w.lang, CodeInvalidArgument, "limit", refusal{msgs.APIWSConnBusy, msgs.Args{"Max": w.h.cfg.Limits.MaxSubscriptionsPerConn}}))
	}
	ctx, cancel := context.WithCancel(w.h.cfg.WithPrincipal(w.ctx, w.principal))
	w.ops[m.ID] = cancel
	p := w.principal
	w.mu.Unlock()

	if qe := w.h.precheck(req, p, w.lang); qe != nil {
		w.finishOp(m.ID)
		w.h.cfg.Metrics.ObserveRequest("subscription", nil, http.StatusBadRequest, 0)
		return w.sendErrors(m.ID, qe)
	}
	if w.h.cfg.Metrics.StartSubscription() > int64(w.h.cfg.Limits.MaxSubscriptions) {
		w.h.cfg.Metrics.EndSubscription()
		w.finishOp(m.ID)
		return w.sendErrors(m.ID, catalogued(w.lang, CodeInvalidArgument, "limit", refusal{msgs.APIWSServerBusy, msgs.Args{"Max": w.h.cfg.Limits.MaxSubscriptions}}))
	}
	w.opsWG.Add(1)
	go func() {
		defer w.opsWG.Done()
		defer w.h.cfg.Metrics.EndSubscription()
		defer w.finishOp(m.ID)
		w.runOp(ctx, m.ID, req)
	}()
	return true
}

// precheck applies the transport's own checks to an operation.
func (h *Handler) precheck(req request, p auth.Principal, lang msgs.Lang) *gqlerrors.QueryError {
	if len(req.Query) > h.cfg.Limits.MaxQueryBytes {
		return catalogued(lang, CodeInvalidArgument, "limit", h.queryTooLong(req.Query))
	}
	a, err := Analyze(req.Query, req.OperationName, req.Variables)
	if err != nil {
		var de *DocumentError
		errors.As(err, &de)
		return catalogued(lang, CodeInvalidArgument, de.Kind, documentRefusal(de.Kind, de.Msg))
	}
	if qe := h.checkCost(a, lang); qe != nil {
		return qe
	}
	if !p.Authenticated() {
		for _, f := range a.RootFields {
			if !h.cfg.PublicField(f) {
				return catalogued(lang, CodeUnauthenticated, "", refusal{msgs.APIAuthRequiredWS, msgs.Args{"Field": f}})
			}
		}
	}
	return nil
}

func (w *wsConn) finishOp(id string) {
	w.mu.Lock()
	if cancel, ok := w.ops[id]; ok {
		cancel()
		delete(w.ops, id)
	}
	w.mu.Unlock()
}

func (w *wsConn) sendErrors(id string, errs ...*gqlerrors.QueryError) bool {
	b, _ := json.Marshal(boundErrors(errs, w.lang))
	return w.send(wsMessage{ID: id, Type: "error", Payload: b}) == nil
}

// runOp runs an operation and streams its results: next for each, then
// complete; error when it is refused before producing data. A client's
// complete cancels ctx and ends it without a further message.
func (w *wsConn) runOp(ctx context.Context, id string, req request) {
	start := time.Now()
	results, err := w.h.cfg.Engine.Subscribe(ctx, req.Query, req.OperationName, req.Variables)
	if err != nil {
		w.h.cfg.Logger.Error("subscribe failed", "err", err)
		w.sendErrors(id, internalError(w.lang))
		return
	}
	first := true
	for v := range results {
		res, ok := v.(*gql.Response)
		if !ok {
			continue
		}
		res.Errors = w.h.fixErrors(ctx, res.Errors)
		if first {
			first = false
			status := http.StatusOK
			if refused(res) {
				status = http.StatusBadRequest
			}
			w.h.cfg.Metrics.ObserveRequest("subscription", req.rootFields(), status, time.Since(start))
			if status != http.StatusOK {
				w.sendErrors(id, res.Errors...)
				return
			}
		}
		b, err := response{Data: res.Data, Errors: res.Errors, lang: w.lang}.marshal()
		if err != nil {
			w.h.cfg.Logger.Error("encode subscription result", "err", err)
			continue
		}
		if ctx.Err() != nil {
			return
		}
		if err := w.send(wsMessage{ID: id, Type: "next", Payload: b}); err != nil {
			return
		}
	}
	if ctx.Err() == nil {
		_ = w.send(wsMessage{ID: id, Type: "complete"})
	}
}

// rootFields returns the root fields the request's operation selects, for
// the latency metric's label (nil when it does not parse).
func (r request) rootFields() []string {
	a, err := Analyze(r.Query, r.OperationName, r.Variables)
	if err != nil {
		return nil
	}
	return a.RootFields
}
