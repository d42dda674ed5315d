package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/config"
	"github.com/liveserver/liveserver/internal/gdrive"
	"github.com/liveserver/liveserver/internal/httpapi"
	"github.com/liveserver/liveserver/internal/instance"
	"github.com/liveserver/liveserver/internal/metrics"
	"github.com/liveserver/liveserver/web"
)

// shutdownGrace is how long running requests get to finish after a stop signal.
const shutdownGrace = 10 * time.Second

func serve(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	a, err := newApp(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.Close()

	// The listeners of the TLS mode (tls.go); in LAN mode this also derives PUBLIC_URL.
	fe, err := a.openFront()
	if err != nil {
		return err
	}
	defer fe.Close()

	// The bus outlives everything below, which may publish until it stops.
	bus, limiter, closeRealtime, err := a.realtime(ctx)
	if err != nil {
		return err
	}
	defer closeRealtime()

	// Everything started from here on ends with ctx; wg waits for it.
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	blobs, err := a.blobs(ctx)
	if err != nil {
		return err
	}
	m := metrics.New(a.db, a.log)
	bus = m.Bus(bus)
	ports := instance.Ports{Store: a.db, Limiter: limiter, Bus: bus, Blobs: blobs, Web: web.Handler(), Metrics: m, Log: a.log,
		LocalCA: fe.localCA()}
	sfu, err := a.startLiveKit(ctx, &wg, fe.webhookHost())
	if err != nil {
		return err
	}
	if sfu != nil {
		ports.SFU = sfu
	}
	if a.cfg.GoogleClientID != "" {
		ports.Drive = gdrive.New(gdrive.Config{ClientID: a.cfg.GoogleClientID, ClientSecret: a.cfg.GoogleClientSecret,
			RedirectURL: a.cfg.PublicURL + "/api/drive/callback"}, nil)
	}
	inst, err := instance.New(a.cfg, ports, instance.Options{Hash: a.hash})
	if err != nil {
		return err
	}
	if err := a.startAgent(ctx, &wg, sfu, bus); err != nil {
		return err
	}
	runner, err := a.jobRunner()
	if err != nil {
		return err
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		runner.Run(ctx)
	}()
	srv := &http.Server{Handler: inst.HTTP, BaseContext: func(net.Listener) context.Context { return ctx }}
	httpapi.ConfigureServer(srv)
	for _, w := range startupWarnings(a.cfg) {
		a.log.Warn(w)
	}
	a.log.Info("listening", "addr", fe.ln.Addr().String(), "tls", a.cfg.TLS, "database", string(a.db.Dialect()), "web_app_built", web.Built())

	wg.Go(func() { every(ctx, time.Hour, func() { a.purge(ctx) }) })
	wg.Go(func() { a.compactEvents(ctx, inst.Classroom) })
	wg.Go(func() { every(ctx, time.Minute, func() { a.endVanished(ctx, inst.Classroom) }) })
	wg.Go(func() { every(ctx, classroom.CallCheckEvery, func() { a.checkCalls(ctx, inst.Classroom) }) })

	if err := a.openSetup(ctx, &wg, inst.Classroom); err != nil {
		return err
	}

	errc := fe.serve(srv)
	a.log.Info("ready: open " + a.cfg.PublicURL)
	var serr error
	select {
	case serr = <-errc:
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	sctx, stop := context.WithTimeout(context.Background(), shutdownGrace)
	defer stop()
	err = errors.Join(srv.Shutdown(sctx), fe.shutdown(sctx))
	inst.HTTP.Close() // the forwarded signalling websockets, which Shutdown leaves open
	if serr == nil {
		serr = <-errc
	}
	if !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", serr)
	}
	return err
}

// openSetup prints the one-time setup link of a reachable server that has no administrator
// yet, keeps its token alive while the server runs, and forgets it when the server stops or
// an administrator appears. The token is in the link's fragment, which browsers never send.
func (a *app) openSetup(ctx context.Context, wg *sync.WaitGroup, svc *classroom.Service) error {
	token, err := svc.OpenSetup(ctx)
	if err != nil || token == "" {
		return err
	}
	a.log.Info("no administrator yet: open the setup link to create one (it works once, until this server stops; "+
		"or run `liveserver user create --admin`)", "setup_link", strings.TrimRight(a.cfg.PublicURL, "/")+"/setup#"+token)
	wg.Go(func() {
		defer func() {
			cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := svc.CloseSetup(cctx, token); err != nil {
				a.log.Warn("forget the setup token", "err", err)
			}
		}()
		t := time.NewTicker(classroom.SetupRenewEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if needed, err := svc.RenewSetup(ctx, token); err != nil && ctx.Err() == nil {
					a.log.Warn("renew the setup token", "err", err)
				} else if !needed {
					a.log.Info("the instance has an administrator: the setup link is closed")
					return
				}
			}
		}
	})
	return nil
}

// startupWarnings are the settings an operator most likely did not mean.
func startupWarnings(cfg *config.Config) []string {
	var out []string
	if cfg.MetricsToken == "" && (cfg.Domain != "" || cfg.TLS == config.TLSLAN) {
		out = append(out, "/metrics answers anyone who can reach this server (room and user counts, request rates): set METRICS_TOKEN")
	}
	return out
}

// every calls f once per interval until ctx ends.
func every(ctx context.Context, interval time.Duration, f func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

// purge deletes the expired sessions and the records that only serve a while.
func (a *app) purge(ctx context.Context) {
	if n, err := a.db.DeleteExpiredSessions(ctx, time.Now()); err != nil {
		a.log.Warn("purge sessions", "err", err)
	} else if n > 0 {
		a.log.Info("expired sessions purged", "count", n)
	}
	if err := a.db.PurgeStale(ctx, time.Now()); err != nil {
		a.log.Warn("purge stale records", "err", err)
	}
}

// compactEventsFirst is how long after the start the event log is first compacted: soon, so
// that a server restarted more often than CompactEvery still compacts, but not while it starts.
const compactEventsFirst = time.Minute

// compactEvents applies the event log's retention soon after the start, then every
// classroom.CompactEvery, until ctx ends (which also stops a run between two batches).
func (a *app) compactEvents(ctx context.Context, svc *classroom.Service) {
	run := func() {
		start := time.Now()
		n, err := svc.CompactEvents(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Warn("compact the room event log", "deleted", n, "err", err)
		case n > 0:
			a.log.Info("room event log compacted", "deleted", n, "retention", a.cfg.EventRetention.String(), "took", time.Since(start).Round(time.Millisecond).String())
		}
	}
	first := time.NewTimer(compactEventsFirst)
	defer first.Stop()
	select {
	case <-ctx.Done():
		return
	case <-first.C:
	}
	run()
	every(ctx, classroom.CompactEvery, run)
}

// endVanished ends the live rooms whose room_finished webhook never reached us.
func (a *app) endVanished(ctx context.Context, svc *classroom.Service) {
	if _, err := svc.EndVanished(ctx, classroom.VanishedAfter); err != nil && ctx.Err() == nil {
		a.log.Warn("compare live rooms with the video server", "err", err)
	}
}

// checkCalls applies our records to the calls whose participant_joined webhook never reached us.
func (a *app) checkCalls(ctx context.Context, svc *classroom.Service) {
	if _, _, err := svc.CheckCalls(ctx); err != nil && ctx.Err() == nil {
		a.log.Warn("compare the calls with our records", "err", err)
	}
}

func migrate(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	a, err := newApp(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	a.log.Info("database is up to date", "database", string(a.db.Dialect()))
	return a.Close()
}
