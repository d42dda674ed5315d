package httpapi

import (
	"context"
	"crypto/subtle"
	"net/http"
	"sync"
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
	for _, p := range s.pingAll(r.Context()) {
		if p.err != nil {
			s.log.WarnContext(r.Context(), "not ready", "dependency", p.name, "err", p.err)
			out.Status, out.Checks[p.name] = "unavailable", "down"
			continue
		}
		out.Checks[p.name] = "ok"
	}
	status := http.StatusOK
	if out.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, out)
}

// ping is one dependency's answer.
type ping struct {
	name string
	err  error
	took time.Duration
}

// pingAll asks every dependency at once, each within two seconds.
func (s *Server) pingAll(ctx context.Context) []ping {
	out := make([]ping, len(s.checks))
	var wg sync.WaitGroup
	for i, c := range s.checks {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			start := time.Now()
			err := c.Ping(ctx)
			out[i] = ping{name: c.Name, err: err, took: time.Since(start)}
		})
	}
	wg.Wait()
	return out
}

// serveMetrics serves Prometheus metrics; with METRICS_TOKEN set, only to its bearer.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	if s.metrics == nil {
		return domain.Errorf(domain.ENotFound, "Metrics are off.")
	}
	if s.opts.MetricsToken != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+s.opts.MetricsToken)) != 1 {
		return domain.Errorf(domain.EUnauthorized, "The metrics need their bearer token.")
	}
	s.metrics.Handler().ServeHTTP(w, r)
	return nil
}
