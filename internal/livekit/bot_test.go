package livekit_test

import (
	"testing"
	"time"

	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/liveserver/liveserver/internal/livekit"
	"github.com/liveserver/liveserver/internal/livekit/livekittest"
)

// bot is a Go participant joined with the stock SDK.
type bot struct {
	room *lksdk.Room
	// gone receives the reason once the server disconnects the bot.
	gone chan lksdk.DisconnectionReason
}

// join connects a bot with token. Joining means signalling and the
// WebRTC connection are up: the SDK waits for ICE (through the built-in
// TURN on loopback) before it returns.
func join(t *testing.T, url, token string) (*bot, error) {
	t.Helper()
	livekittest.RequireLoopbackOnly(t)
	b := &bot{gone: make(chan lksdk.DisconnectionReason, 1)}
	cb := lksdk.NewRoomCallback()
	cb.OnDisconnectedWithReason = func(r lksdk.DisconnectionReason) {
		select {
		case b.gone <- r:
		default:
		}
	}
	room, err := lksdk.ConnectToRoomWithToken(url, token, cb, lksdk.WithAutoSubscribe(false))
	if err != nil {
		return nil, err
	}
	b.room = room
	t.Cleanup(room.Disconnect)
	return b, nil
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

// waitGone waits for the server to disconnect the bot and checks why.
func (b *bot) waitGone(t *testing.T, want lksdk.DisconnectionReason, wantProto lkproto.DisconnectReason) {
	t.Helper()
	select {
	case got := <-b.gone:
		if got != want {
			t.Errorf("disconnected with %q, want %q", got, want)
		}
		if got := b.room.DisconnectReason(); got != wantProto {
			t.Errorf("protocol reason %v, want %v", got, wantProto)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("bot not disconnected (want %q)", want)
	}
}

func guest(room, identity string) livekit.TokenRequest {
	return livekit.TokenRequest{Room: room, Identity: identity, Name: "Guest " + identity, TTL: time.Minute, CanSubscribe: true, CanPublishData: true}
}
