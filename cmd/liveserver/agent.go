package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/liveserver/liveserver/internal/agent"
	"github.com/liveserver/liveserver/internal/deepgram"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/livekit"
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
	return agent.New(agent.Deps{Store: a.db, STT: stt, STTName: a.cfg.STTProvider, LiveKit: sfu.Config(), Rooms: sfu.Client(),
		Bus: bus, Log: a.log.With("component", "agent")}, agent.Options{Language: a.cfg.STTLanguage, Name: name})
}

// startAgent runs the assistant in this process until ctx ends (the one-machine mode).
func (a *app) startAgent(ctx context.Context, wg *sync.WaitGroup, sfu *livekit.SFU, bus domain.Bus) error {
	if sfu == nil || !a.cfg.AgentInServe {
		return nil
	}
	ag, err := a.newAgent(sfu, bus)
	if err != nil || ag == nil {
		if ag == nil && err == nil {
			a.log.Info("captions are off (STT_PROVIDER=none)")
		}
		return err
	}
	wg.Go(func() {
		if err := ag.Run(ctx); err != nil {
			a.log.Error("assistant stopped", "err", err)
		}
	})
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
	sfu, err := a.startLiveKit(ctx, nil, "")
	if err != nil {
		return err
	}
	ag, err := a.newAgent(sfu, bus)
	if err != nil {
		return err
	}
	return ag.Run(ctx)
}
