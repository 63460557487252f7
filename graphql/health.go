package graphql

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// serveHealth writes /healthz: 200 while the store answers and no read
// model has stopped, 503 otherwise.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	body := map[string]any{"status": "ok", "mode": s.cfg.Mode}
	status := http.StatusOK
	head, err := s.store.Head(ctx)
	viewPos := s.views.Position()
	body["viewPosition"] = viewPos
	if err != nil {
		status, body["status"] = http.StatusServiceUnavailable, "unavailable"
		body["error"] = "the event store does not answer"
		s.logger.Error("health check: store head", "err", err)
	} else {
		body["head"] = head
		body["lag"] = head - min(head, viewPos)
	}
	if err := s.runner.Failure(); err != nil {
		status, body["status"] = http.StatusServiceUnavailable, "degraded"
		body["error"] = "a read model stopped"
		s.logger.Error("health check: read model", "err", err)
	}
	if s.transport.Closing() {
		status, body["status"] = http.StatusServiceUnavailable, "shutting down"
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
