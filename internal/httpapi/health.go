package httpapi

import (
	"context"
	"crypto/subtle"
	"net/http"
	"sync"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
	"golang.org/x/sync/singleflight"
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
// Failure details go to the log, not to the (unauthenticated) caller. The answer is at most
// readyFor old, and probes that come together share one round of checks: a flood of probes
// does not become a flood of requests to the database, LiveKit and S3.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	out := readiness{Status: "ok", Checks: map[string]string{}}
	for _, p := range s.recentPings(r.Context()) {
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

// readyFor is how long one round of /readyz checks answers for.
const readyFor = time.Second

// readyChecks is the latest round of readiness checks.
type readyChecks struct {
	mu     sync.Mutex
	at     time.Time
	pings  []ping
	flight singleflight.Group
}

// recentPings is a round of checks at most readyFor old, run now if there is none; callers that
// come during a round wait for it rather than start their own.
func (s *Server) recentPings(ctx context.Context) []ping {
	s.ready.mu.Lock()
	if s.ready.pings != nil && time.Since(s.ready.at) < readyFor {
		defer s.ready.mu.Unlock()
		return s.ready.pings
	}
	s.ready.mu.Unlock()
	// The round is not the first caller's: one that gives up must not fail the others' checks.
	ch := s.ready.flight.DoChan("ready", func() (any, error) {
		pings := s.pingAll(context.WithoutCancel(ctx))
		s.ready.mu.Lock()
		s.ready.pings, s.ready.at = pings, time.Now()
		s.ready.mu.Unlock()
		return pings, nil
	})
	select {
	case res := <-ch:
		return res.Val.([]ping)
	case <-ctx.Done():
		return []ping{{name: "request", err: ctx.Err()}}
	}
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
