package livekit_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/livekit"
	"github.com/liveserver/liveserver/internal/livekit/livekittest"
)

// The real server posts to a receiver of ours (on 127.0.0.1, as httptest
// binds) and Receive verifies and parses what it sends.
func TestWebhooksFromServer(t *testing.T) {
	events := make(chan livekit.Event, 64)
	var verifier *livekit.WebhookVerifier // set once the server's keys are known
	ready := make(chan struct{})
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-ready:
		case <-r.Context().Done():
			return
		}
		ev, err := verifier.Receive(r)
		if err != nil {
			t.Errorf("Receive: %v", err)
			http.Error(w, "bad webhook", http.StatusUnauthorized)
			return
		}
		events <- ev
	}))
	defer receiver.Close()

	srv := livekittest.Start(t, livekittest.WithWebhookURL(receiver.URL+"/api/livekit/webhook"))
	verifier = livekit.NewWebhookVerifier(srv.Config)
	close(ready)
	ctx := testContext(t)
	c := newClient(t, srv)

	room, err := c.CreateRoom(ctx, livekit.RoomSpec{Name: "hooked", EmptyTimeout: time.Minute, MaxParticipants: 0, Metadata: ""})
	if err != nil {
		t.Fatal(err)
	}
	started := waitEvent(t, events, livekit.EventRoomStarted)
	if started.Room != "hooked" || started.RoomSID != room.SID || started.ID == "" {
		t.Errorf("room_started = %+v", started)
	}
	if d := time.Since(started.CreatedAt); d < -time.Minute || d > time.Minute {
		t.Errorf("room_started createdAt %v is not now", started.CreatedAt)
	}

	ann := mustJoin(t, srv, guest("hooked", "ann"))
	joined := waitEvent(t, events, livekit.EventParticipantJoined)
	if joined.Room != "hooked" || joined.ParticipantIdentity != "ann" || joined.ParticipantName != "Guest ann" ||
		joined.ParticipantSID == "" || joined.ParticipantKind != "" {
		t.Errorf("participant_joined = %+v", joined)
	}

	ann.Room.Disconnect()
	left := waitEvent(t, events, livekit.EventParticipantLeft)
	if left.ParticipantIdentity != "ann" || left.ParticipantSID != joined.ParticipantSID || left.ID == joined.ID {
		t.Errorf("participant_left = %+v (joined was %+v)", left, joined)
	}

	if err := c.DeleteRoom(ctx, "hooked"); err != nil {
		t.Fatal(err)
	}
	finished := waitEvent(t, events, livekit.EventRoomFinished)
	if finished.Room != "hooked" || finished.RoomSID != room.SID {
		t.Errorf("room_finished = %+v", finished)
	}
}

// waitEvent returns the next event of type typ, skipping others (track
// events and the like).
func waitEvent(t *testing.T, events <-chan livekit.Event, typ string) livekit.Event {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.Type == typ {
				return ev
			}
			t.Logf("skipping %s", ev.Type)
		case <-timeout:
			t.Fatalf("no %s webhook within 30s", typ)
		}
	}
}
