// Package instance assembles one LiveServer instance, its rules and its HTTP interface, from the
// configuration and the adapters chosen for its ports. `serve` and the HTTP tests both build
// through New, so the tests run what production runs; only the adapters differ (cmd/liveserver
// picks them from the configuration, the tests from what the test needs).
package instance

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/config"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/httpapi"
	"github.com/liveserver/liveserver/internal/lecture"
	"github.com/liveserver/liveserver/internal/metrics"
)

// SFU is the video server as the instance uses it: the rules' port, the webhooks' verifier and
// a health probe (internal/livekit's SFU is one).
type SFU interface {
	domain.SFU
	httpapi.WebhookReceiver
	Ping(ctx context.Context) error
}

// Ports are the adapters behind the instance's ports.
type Ports struct {
	Store   domain.Store
	Limiter domain.Limiter
	Bus     domain.Bus
	Blobs   domain.Blobs
	// SFU is the video server; nil runs without video (rooms cannot go live).
	SFU SFU
	// Drive exports lectures to Google Drive; nil turns the export off.
	Drive lecture.Drive
	// Web is the browser app; nil serves nothing outside /api.
	Web http.Handler
	// LocalCA is the LAN mode's CA certificate (DER), served at /ca.crt; nil in other modes.
	LocalCA []byte
	// Metrics, when set, counts requests and serves /metrics.
	Metrics *metrics.Metrics
	Log     *slog.Logger
}

// Options are the settings that are not in the configuration.
type Options struct {
	// Hash is the password hashing cost; zero means classroom.DefaultHashParams.
	Hash classroom.HashParams
	// Heartbeat is how often an idle event stream sends a comment; zero means httpapi's default.
	Heartbeat time.Duration
	// StreamLifetime is how long an event stream lasts before its client reconnects; zero
	// means classroom.DefaultStreamLifetime.
	StreamLifetime time.Duration
	// StreamsPerSession and StreamsPerAddress cap the open event streams; zero means httpapi's
	// defaults.
	StreamsPerSession, StreamsPerAddress int
}

// Instance is one assembled instance.
type Instance struct {
	Classroom *classroom.Service
	Lectures  *lecture.Service
	HTTP      *httpapi.Server
}

// New assembles the instance.
func New(cfg *config.Config, p Ports, o Options) (*Instance, error) {
	cd := classroom.Deps{Store: p.Store, Limiter: p.Limiter, Bus: p.Bus, Blobs: p.Blobs, Log: p.Log}
	if p.SFU != nil {
		cd.SFU = p.SFU // a nil SFU stays a nil interface
	}
	svc, err := classroom.New(cd, classroom.Options{Registration: cfg.Registration, Reachable: cfg.Reachable(), SessionTTL: cfg.SessionTTL,
		Hash: o.Hash, BanByIP: cfg.BanByIP, MaxUpload: cfg.MaxUpload(), StreamLifetime: o.StreamLifetime,
		EventRetention: cfg.EventRetention, Quotas: Quotas(cfg)})
	if err != nil {
		return nil, err
	}
	lectures := lecture.NewService(p.Store, svc).WithLanguage(cfg.STTLanguage)
	if p.Drive != nil {
		lectures.WithDrive(p.Drive, cfg.AuthSecret)
	}
	checks := []httpapi.Check{{Name: "database", Ping: p.Store.Ping}, {Name: "bus", Ping: p.Bus.Ping}, {Name: "storage", Ping: p.Blobs.Ping}}
	deps := httpapi.Deps{Log: p.Log, Classroom: svc, Limiter: p.Limiter, Bus: p.Bus, Web: p.Web, Lectures: lectures, Metrics: p.Metrics,
		LocalCA: p.LocalCA}
	if p.SFU != nil {
		deps.Webhooks = p.SFU
		checks = append(checks, httpapi.Check{Name: "livekit", Ping: p.SFU.Ping})
	}
	deps.Checks = checks
	return &Instance{Classroom: svc, Lectures: lectures, HTTP: httpapi.New(deps, HTTPOptions(cfg, p.SFU, o))}, nil
}

// Quotas are the storage quotas of the configuration.
func Quotas(cfg *config.Config) classroom.Quotas {
	room, host, inst := cfg.Quotas()
	return classroom.Quotas{Room: room, Host: host, Instance: inst}
}

// HTTPOptions are the HTTP interface's settings from the configuration.
func HTTPOptions(cfg *config.Config, sfu SFU, o Options) httpapi.Options {
	ho := httpapi.Options{PublicURL: cfg.PublicURL, TLS: cfg.TLS, SecureCookies: cfg.SecureCookies(), HSTS: cfg.Domain != "", AuthSecret: cfg.AuthSecret,
		TrustedProxies: cfg.TrustedProxies, MaxUpload: cfg.MaxUpload(), MetricsToken: cfg.MetricsToken,
		Captions: cfg.Captions(), Heartbeat: o.Heartbeat, StreamsPerSession: o.StreamsPerSession, StreamsPerAddress: o.StreamsPerAddress}
	// The development instance's protection applies only without a public domain.
	if cfg.Domain == "" {
		ho.DevAccessKey, ho.AllowedIPs = cfg.DevAccessKey, cfg.AllowedIPs
	}
	if sfu != nil {
		ho.LiveKitURL = sfu.URL()
		if cfg.LiveKitSignalViaApp {
			ho.LiveKitSignal = sfu.URL() // browsers reach LiveKit's signalling through us
		}
	}
	return ho
}
