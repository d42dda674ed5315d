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

	"github.com/liveserver/liveserver/internal/agent"
	"github.com/liveserver/liveserver/internal/deepgram"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/livekit"
	"github.com/liveserver/liveserver/internal/metrics"
	"github.com/liveserver/liveserver/internal/openai"
)

// stt picks the speech-to-text provider; nil when captions are off (STT_PROVIDER=none).
func (a *app) stt() (domain.STT, error) {
	switch c := a.cfg; c.STTProvider {
	case "deepgram":
		s, err := deepgram.New(deepgram.Config{BaseURL: c.DeepgramURL, APIKey: c.DeepgramAPIKey, Model: c.DeepgramModel, Language: c.STTLanguage})
		if err != nil {
			return nil, fmt.Errorf("DEEPGRAM_URL: %w", err)
		}
		return s, nil
	case "openai":
		s, err := openai.NewTranscriber(openai.TranscriberConfig{BaseURL: c.STTBaseURL, APIKey: c.STTAPIKey, Model: c.STTModel, Language: c.STTLanguage})
		if err != nil {
			return nil, fmt.Errorf("STT_BASE_URL: %w", err)
		}
		return s, nil
	}
	return nil, nil
}

// newAgent makes the captioning assistant for the video server; nil when captions are off.
func (a *app) newAgent(sfu *livekit.SFU, bus domain.Bus) (*agent.Agent, error) {
	stt, err := a.stt()
	if err != nil || stt == nil {
		return nil, err
	}
	name := "ИИ-ассистент"
	if l := a.cfg.STTLanguage; l != "" && !strings.HasPrefix(l, "ru") {
		name = "AI assistant"
	}
	return agent.New(agent.Deps{Store: a.db, STT: stt, STTName: a.cfg.STTProvider, LiveKit: sfu.Config(), Rooms: sfu,
		Bus: bus, Log: a.log.With("component", "agent")}, agent.Options{Language: a.cfg.STTLanguage, Name: name})
}

// startAgent runs the assistant in this process until ctx ends (the one-machine mode).
func (a *app) startAgent(ctx context.Context, wg *sync.WaitGroup, sfu *livekit.SFU, bus domain.Bus) error {
	if sfu == nil || !a.cfg.AgentInServe {
		return nil
	}
	ag, err := a.newAgent(sfu, bus)
	switch {
	case err != nil:
		return err
	case ag == nil:
		a.log.Info("captions are off (STT_PROVIDER=none)")
		return nil
	}
	wg.Go(func() { ag.Run(ctx) })
	return nil
}

// agentCommand is `liveserver agent`: the assistant as its own process, for production, where
// several of them share the rooms through leases in the database.
func agentCommand(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	a, err := newApp(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	if !a.cfg.Captions() {
		return errors.New("STT_PROVIDER is none: there is nothing for the assistant to do (set deepgram or openai)")
	}
	if a.cfg.LiveKitURL == "" {
		return errors.New("LIVEKIT_URL is required: the assistant joins the deployment's LiveKit")
	}
	bus, _, closeRealtime, err := a.realtime(ctx)
	if err != nil {
		return err
	}
	defer closeRealtime()
	sfu, err := a.deployedLiveKit()
	if err != nil {
		return err
	}
	ag, err := a.newAgent(sfu, bus)
	if err != nil {
		return err
	}
	if a.cfg.AgentListenAddr == "off" {
		ag.Run(ctx)
		return nil
	}
	ln, err := net.Listen("tcp", a.cfg.AgentListenAddr)
	if err != nil {
		return fmt.Errorf("AGENT_LISTEN_ADDR %s: %w", a.cfg.AgentListenAddr, err)
	}
	srv := &http.Server{Handler: agentHandler(ag), ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.log.Info("agent listening", "addr", ln.Addr().String())
	ag.Run(ctx)
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// agentHandler answers an agent process's probes: /healthz (alive), /readyz (its database and
// LiveKit answer) and /metrics. They tell nothing about rooms or people, so they are open to
// whoever reaches the port (keep it off the public network).
func agentHandler(ag *agent.Agent) http.Handler {
	m := http.NewServeMux()
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	m.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := ag.Health(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	m.Handle("GET /metrics", metrics.AgentHandler(ag))
	return m
}

// healthcheck is `liveserver healthcheck [--agent]`: it asks this machine's server (or, with
// --agent, its assistant process) whether it is alive, for a container's HEALTHCHECK, where no
// curl is installed.
func healthcheck(ctx context.Context, args []string, getenv func(string) string) error {
	name, def := "LISTEN_ADDR", ":3000"
	switch {
	case len(args) == 1 && args[0] == "--agent":
		name, def = "AGENT_LISTEN_ADDR", ":3001"
	case len(args) > 0:
		return fmt.Errorf("usage: liveserver healthcheck [--agent]")
	}
	addr := strings.TrimSpace(getenv(name))
	if addr == "" {
		addr = def
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s %q: %w", name, addr, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	url, client := "http://"+net.JoinHostPort("127.0.0.1", port)+"/healthz", http.DefaultClient
	if name == "LISTEN_ADDR" {
		// serve may speak HTTPS itself (tls.go).
		if url, client, err = serveHealthTarget(getenv, port); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("/healthz answered %s", res.Status)
	}
	return nil
}
