// Package metrics holds the Prometheus metrics of the process and serves them: HTTP requests by
// route and status with latencies, open event streams, events published and delivered, jobs by
// state, rooms live, people in calls.
package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Source answers the questions asked at each scrape.
type Source interface {
	JobCounts(ctx context.Context) (map[string]int, error)
	RoomStatusCounts(ctx context.Context) (map[string]int, error)
	ConnectedNow(ctx context.Context) (int, error)
	AgentWorkers(ctx context.Context, since time.Time) ([]domain.AgentWorker, error)
}

// Metrics are the process's instruments.
type Metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	streams      prometheus.Gauge
	published    prometheus.Counter
	delivered    prometheus.Counter
	publishFails prometheus.Counter
}

// New registers the instruments, the Go runtime's and the process's, and a collector that
// reads src at each scrape (bounded to two seconds).
func New(src Source, log *slog.Logger) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "liveserver_http_requests_total",
			Help: "HTTP requests by route pattern, method and status."}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "liveserver_http_request_duration_seconds",
			Help: "HTTP request latency by route pattern (event streams excluded).", Buckets: prometheus.DefBuckets}, []string{"route"}),
		streams: prometheus.NewGauge(prometheus.GaugeOpts{Name: "liveserver_event_streams_open",
			Help: "Server-Sent Event streams open now."}),
		published: prometheus.NewCounter(prometheus.CounterOpts{Name: "liveserver_bus_published_total",
			Help: "Room events published on the bus."}),
		publishFails: prometheus.NewCounter(prometheus.CounterOpts{Name: "liveserver_bus_publish_failures_total",
			Help: "Room events whose publish failed (streams catch up from the database)."}),
		delivered: prometheus.NewCounter(prometheus.CounterOpts{Name: "liveserver_events_delivered_total",
			Help: "Room events written to event streams."}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.streams, m.published, m.publishFails, m.delivered,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&stateCollector{src: src, log: log})
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// ObserveRequest records one finished request.
func (m *Metrics) ObserveRequest(route, method string, status int, took time.Duration, stream bool) {
	if route == "" {
		route = "unmatched"
	}
	if status == 0 {
		status = http.StatusOK
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	if !stream {
		m.duration.WithLabelValues(route).Observe(took.Seconds())
	}
}

// StreamOpened and StreamClosed count open event streams.
func (m *Metrics) StreamOpened() { m.streams.Inc() }
func (m *Metrics) StreamClosed() { m.streams.Dec() }

// Published counts a publish and whether it failed.
func (m *Metrics) Published(err error) {
	m.published.Inc()
	if err != nil {
		m.publishFails.Inc()
	}
}

// Delivered counts an event written to a stream.
func (m *Metrics) Delivered() { m.delivered.Inc() }

// stateCollector reads the instance's state at scrape time.
type stateCollector struct {
	src Source
	log *slog.Logger
}

var (
	jobsDesc    = prometheus.NewDesc("liveserver_jobs", "Background jobs by status.", []string{"status"}, nil)
	roomsDesc   = prometheus.NewDesc("liveserver_rooms", "Rooms by status.", []string{"status"}, nil)
	peopleDesc  = prometheus.NewDesc("liveserver_participants_connected", "Connections to live calls now.", nil, nil)
	tracksDesc  = prometheus.NewDesc("liveserver_agent_tracks", "Microphone tracks the captioning assistants transcribe now.", nil, nil)
	scrapeError = prometheus.NewDesc("liveserver_state_scrape_errors", "1 when the state could not be read.", nil, nil)
)

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- jobsDesc
	ch <- roomsDesc
	ch <- peopleDesc
	ch <- tracksDesc
	ch <- scrapeError
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var errs []error
	jobs, err := c.src.JobCounts(ctx)
	errs = append(errs, err)
	for _, s := range []string{"QUEUED", "RUNNING", "DONE", "FAILED"} {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(jobs[s]), s)
	}
	rooms, err := c.src.RoomStatusCounts(ctx)
	errs = append(errs, err)
	for _, s := range []string{"CREATED", "LIVE", "ENDED"} {
		ch <- prometheus.MustNewConstMetric(roomsDesc, prometheus.GaugeValue, float64(rooms[s]), s)
	}
	n, err := c.src.ConnectedNow(ctx)
	errs = append(errs, err)
	ch <- prometheus.MustNewConstMetric(peopleDesc, prometheus.GaugeValue, float64(n))
	// Every assistant process's tracks, from their heartbeats: any replica tells the total.
	workers, err := c.src.AgentWorkers(ctx, time.Now().Add(-domain.AgentSilentAfter))
	errs = append(errs, err)
	tracks := 0
	for _, w := range workers {
		tracks += w.Tracks
	}
	ch <- prometheus.MustNewConstMetric(tracksDesc, prometheus.GaugeValue, float64(tracks))
	failed := 0.0
	if err := errors.Join(errs...); err != nil {
		failed = 1
		c.log.Warn("metrics: state could not be read", "err", err)
	}
	ch <- prometheus.MustNewConstMetric(scrapeError, prometheus.GaugeValue, failed)
}

// Bus counts what is published on inner.
func (m *Metrics) Bus(inner domain.Bus) domain.Bus { return countingBus{Bus: inner, m: m} }

type countingBus struct {
	domain.Bus
	m *Metrics
}

func (b countingBus) Publish(ctx context.Context, topic string, msg []byte) error {
	err := b.Bus.Publish(ctx, topic, msg)
	b.m.Published(err)
	return err
}
