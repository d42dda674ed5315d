package livekit_test

import (
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/livekit"
	"github.com/liveserver/liveserver/internal/livekit/livekittest"
)

type bot = livekittest.Bot

func join(t *testing.T, url, token string) (*bot, error) {
	t.Helper()
	return livekittest.Join(t, url, token)
}

func mustJoin(t *testing.T, srv livekittest.Server, req livekit.TokenRequest) *bot {
	t.Helper()
	if req.TTL == 0 {
		req.TTL = time.Minute
	}
	tok, err := srv.Config.Token(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := join(t, srv.Config.URL, tok)
	if err != nil {
		t.Fatalf("%s could not join %s: %v", req.Identity, req.Room, err)
	}
	return b
}

func guest(room, identity string) livekit.TokenRequest {
	return livekit.TokenRequest{Room: room, Identity: identity, Name: "Guest " + identity, TTL: time.Minute, CanSubscribe: true, CanPublishData: true}
}
