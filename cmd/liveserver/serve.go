package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/liveserver/liveserver/internal/httpapi"
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

	api := httpapi.New(httpapi.Deps{
		Config:    a.cfg,
		Log:       a.log,
		Classroom: a.classroom,
		Limiter:   a.limiter,
		Checks:    []httpapi.Check{{Name: "database", Ping: a.db.Ping}},
		Web:       web.Handler(),
	})
	srv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		// No WriteTimeout: event streams stay open; slow bodies are bounded per handler.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	ln, err := net.Listen("tcp", a.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("LISTEN_ADDR %s: %w", a.cfg.ListenAddr, err)
	}
	a.log.Info("listening", "addr", ln.Addr().String(), "database", string(a.db.Dialect()), "web_app_built", web.Built())

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.purgeSessions(ctx)
	}()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		wg.Wait()
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err = srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	wg.Wait()
	return err
}

// purgeSessions deletes expired sessions every hour until ctx ends.
func (a *app) purgeSessions(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := a.db.DeleteExpiredSessions(ctx, time.Now()); err != nil {
				a.log.Warn("purge sessions", "err", err)
			} else if n > 0 {
				a.log.Info("expired sessions purged", "count", n)
			}
		}
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
