package livekittest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

// Bot is a Go participant joined with the stock SDK.
type Bot struct {
	Room *lksdk.Room
	// Gone receives the reason once the server disconnects the bot.
	Gone chan lksdk.DisconnectionReason
}

// Join connects a bot with token. Joining means signalling and the WebRTC connection are up:
// the SDK waits for ICE (through the built-in TURN on loopback) before it returns. The test is
// skipped unless the process sees only loopback (see Main).
func Join(t testing.TB, url, token string) (*Bot, error) {
	t.Helper()
	RequireLoopbackOnly(t)
	b := &Bot{Gone: make(chan lksdk.DisconnectionReason, 1)}
	cb := lksdk.NewRoomCallback()
	cb.OnDisconnectedWithReason = func(r lksdk.DisconnectionReason) {
		select {
		case b.Gone <- r:
		default:
		}
	}
	room, err := lksdk.ConnectToRoomWithToken(url, token, cb, lksdk.WithAutoSubscribe(false))
	if err != nil {
		return nil, err
	}
	b.Room = room
	t.Cleanup(room.Disconnect)
	return b, nil
}

// WaitGone waits for the server to disconnect the bot and checks why.
func (b *Bot) WaitGone(t testing.TB, want lksdk.DisconnectionReason, wantProto lkproto.DisconnectReason) {
	t.Helper()
	select {
	case got := <-b.Gone:
		if got != want {
			t.Errorf("disconnected with %q, want %q", got, want)
		}
		if got := b.Room.DisconnectReason(); got != wantProto {
			t.Errorf("protocol reason %v, want %v", got, wantProto)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("bot not disconnected (want %q)", want)
	}
}

// PublishOgg publishes Ogg/Opus audio (such as oggtest.Speech) from room as its microphone,
// paced as a live one. sent is closed once all of it went out.
func PublishOgg(t testing.TB, room *lksdk.Room, audio []byte) (pub *lksdk.LocalTrackPublication, sent <-chan struct{}) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "microphone.ogg")
	if err := os.WriteFile(path, audio, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	track, err := lksdk.NewLocalFileTrack(path, lksdk.ReaderTrackWithOnWriteComplete(func() { close(done) }))
	if err != nil {
		t.Fatal(err)
	}
	pub, err = room.LocalParticipant.PublishTrack(track, &lksdk.TrackPublicationOptions{Name: "microphone", Source: lkproto.TrackSource_MICROPHONE})
	if err != nil {
		t.Fatal(err)
	}
	return pub, done
}
