package httpapi

import (
	"context"
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

// healthz says the process is alive; it asks no dependency.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// readyz says whether every dependency answers, each within two seconds; 503 when one does not.
// Failure details go to the log, not to the (unauthenticated) caller.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	out := readiness{Status: "ok", Checks: map[string]string{}}
	for _, c := range s.checks {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		err := c.Ping(ctx)
		cancel()
		if err != nil {
			s.log.WarnContext(r.Context(), "not ready", "dependency", c.Name, "err", err)
			out.Status, out.Checks[c.Name] = "unavailable", "down"
			continue
		}
		out.Checks[c.Name] = "ok"
	}
	status := http.StatusOK
	if out.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, out)
}

// serveMetrics serves Prometheus metrics; with METRICS_TOKEN set, only to its bearer.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	if s.metrics == nil {
		return domain.Errorf(domain.ENotFound, "Metrics are off.")
	}
	if s.metricsTok != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+s.metricsTok)) != 1 {
		return domain.Errorf(domain.EUnauthorized, "The metrics need their bearer token.")
	}
	s.metrics.Handler().ServeHTTP(w, r)
	return nil
}
