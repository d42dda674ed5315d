package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// AgentStats is what an assistant process tells about itself.
type AgentStats interface {
	Rooms() int
	Tracks() int
}

// AgentHandler serves one `liveserver agent` process's metrics: its rooms and tracks, the Go
// runtime's and the process's. (The app's liveserver_agent_tracks adds up every process.)
func AgentHandler(a AgentStats) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "liveserver_agent_process_rooms",
			Help: "Rooms this assistant process captions now."}, func() float64 { return float64(a.Rooms()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "liveserver_agent_process_tracks",
			Help: "Microphone tracks this assistant process transcribes now."}, func() float64 { return float64(a.Tracks()) }),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}
